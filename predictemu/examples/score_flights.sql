-- Score every flight with the bundled delay model, in the shape that Synapse
-- Studio's scoring wizard writes. A CTE casts the table's columns to the model's
-- input types. PREDICT reads the model from the model table by 'name:version'.
-- The procedure is created in its own batch and then executed.
IF OBJECT_ID('dbo.score_flights_delay') IS NOT NULL
    DROP PROCEDURE [dbo].[score_flights_delay]
GO

CREATE PROCEDURE [dbo].[score_flights_delay]
AS
BEGIN
    SET NOCOUNT ON;

    WITH InputData AS
    (
        SELECT
            CAST([dep_delay] AS [real]) AS [dep_delay],
            CAST([distance] AS [real]) AS [distance],
            [hour],
            [carrier],
            [origin]
        FROM [dbo].[flights]
    )
    SELECT *
    FROM PREDICT (MODEL = (SELECT [model] FROM [dbo].[aml_models] WHERE [ID] = 'flights_delay:1'),
                  DATA = InputData,
                  RUNTIME = ONNX) WITH ([output_label] [bigint])
END
GO

EXEC [dbo].[score_flights_delay]
