-- Compare the model's predictions with what happened: `late` is 1 when the
-- flight arrived more than 15 minutes late. Cancelled flights have no arrival
-- and no `late` value, so they are scored but not compared.
WITH InputData AS
(
    SELECT
        CAST([dep_delay] AS [real]) AS [dep_delay],
        CAST([distance] AS [real]) AS [distance],
        [hour], [carrier], [origin], [late]
    FROM [dbo].[flights]
)
SELECT
    COUNT(*) AS scored,
    SUM(CASE WHEN d.late IS NOT NULL THEN 1 ELSE 0 END) AS with_outcome,
    SUM(CASE WHEN p.output_label = 1 AND d.late = 1 THEN 1 ELSE 0 END) AS true_late,
    SUM(CASE WHEN p.output_label = 1 AND d.late = 0 THEN 1 ELSE 0 END) AS false_late,
    SUM(CASE WHEN p.output_label = 0 AND d.late = 0 THEN 1 ELSE 0 END) AS true_on_time,
    SUM(CASE WHEN p.output_label = 0 AND d.late = 1 THEN 1 ELSE 0 END) AS false_on_time
FROM PREDICT (MODEL = (SELECT [model] FROM [dbo].[aml_models] WHERE [ID] = 'flights_delay:1'),
              DATA = InputData AS d,
              RUNTIME = ONNX) WITH ([output_label] [bigint]) AS p
