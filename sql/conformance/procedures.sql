-- case: procedure_params_defaults_output_status
-- result: [[11, 7]]
-- result: [[6]]
CREATE PROCEDURE dbo.add_one @x int, @y int = 10, @total int OUTPUT AS
BEGIN
    SET @total = @x + @y
    RETURN 7
END
GO
DECLARE @r int, @status int
EXEC @status = dbo.add_one 1, @total = @r OUTPUT
SELECT @r AS r, @status AS status
EXECUTE dbo.add_one @y = 1, @x = 5, @total = @r OUT
SELECT @r AS r

-- case: procedure_result_set_and_nested_call
-- result: [[4]]
CREATE PROC inner_square @n int AS SELECT @n * @n AS squared
GO
CREATE PROC outer_call AS
BEGIN
    EXEC inner_square 2
END
GO
EXEC outer_call

-- case: procedure_create_or_alter
-- result: [[2]]
CREATE PROCEDURE p AS SELECT 1 AS v
GO
CREATE OR ALTER PROCEDURE p AS SELECT 2 AS v
GO
EXEC p

-- case: procedure_created_twice
-- error: 2714 There is already an object named 'p'
CREATE PROCEDURE p AS SELECT 1 AS v
GO
CREATE PROCEDURE p AS SELECT 2 AS v

-- case: procedure_missing_parameter
-- error: 201 expects parameter '@x'
CREATE PROCEDURE p @x int AS SELECT @x AS x
GO
EXEC p

-- case: drop_procedure
-- error: 2812 Could not find stored procedure 'p'
CREATE PROCEDURE p AS SELECT 1 AS v
GO
DROP PROCEDURE p
DROP PROCEDURE IF EXISTS p
EXEC p

-- case: procedure_variables_are_local
-- error: 137 Must declare the scalar variable "@inside"
CREATE PROCEDURE p AS
BEGIN
    DECLARE @inside int = 1
END
GO
EXEC p
SELECT @inside AS x

-- case: procedure_temp_table_dropped_on_return
-- target: sqledge
-- result: [[1]]
-- result: [[1]]
-- result: [[null]]
CREATE PROCEDURE dbo.p AS
SELECT 1 AS x INTO #t
SELECT x FROM #t
GO
EXEC dbo.p
EXEC dbo.p
SELECT OBJECT_ID('tempdb..#t') AS gone

-- case: procedure_temp_table_stays_in_pool_session
-- result: [[1]]
-- error: 2714 There is already an object named '#t' in the database.
CREATE PROCEDURE dbo.p AS
SELECT 1 AS x INTO #t
GO
EXEC dbo.p
SELECT x FROM #t
EXEC dbo.p

-- case: procedure_error_line_counts_within_procedure
-- error: 8134 Divide by zero error encountered.
-- error-line: 5
-- error-batch: 2
-- scoring procedure
CREATE PROCEDURE dbo.fail_late AS
BEGIN
    SET NOCOUNT ON
    SELECT 1 / 0 AS boom
END
GO
PRINT 'x'
EXEC dbo.fail_late
