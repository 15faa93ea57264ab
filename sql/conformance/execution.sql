-- case: t1_no_semicolons
-- result: [["2024-10-01", 3]]
-- columns: ["cutoff", "model_id"]
DECLARE @cutoff date = '2024-10-01'
DECLARE @model_id int = 3
SELECT @cutoff AS cutoff, @model_id AS model_id

-- case: t2_go_batches
-- result: [[1]]
-- result: [[2]]
SELECT 1 AS a
GO
-- score step
SELECT 2 AS b

-- case: t2_variable_unknown_after_go
-- result: [[1]]
-- error: 137 Must declare the scalar variable "@x"
-- error-line: 2
-- error-batch: 2
DECLARE @x int = 1
SELECT @x AS x
GO
-- the variable went away with its batch
SELECT @x AS x

-- case: go_repeat_count
-- result: [[3]]
CREATE TABLE dbo.hits (n int)
GO
INSERT INTO dbo.hits VALUES (1)
GO 3
SELECT COUNT(*) AS n FROM dbo.hits

-- case: go_with_trailing_comment
-- result: [[1]]
-- result: [[2]]
SELECT 1 AS a
GO -- end of step one
SELECT 2 AS b

-- case: go_inside_string_and_comment
-- result: [["\nGO\n"]]
-- result: [["GO"]]
/*
GO
*/
SELECT '
GO
' AS a
GO
SELECT 'GO' AS g

-- case: select_assign_variable
-- result: [[5]]
-- result: [[2]]
DECLARE @v int
SELECT @v = 5
SELECT @v AS v
-- the last row wins
SELECT @v = x FROM (SELECT 1 AS x UNION ALL SELECT 2) AS q ORDER BY x
SELECT @v AS v

-- case: set_compound_assignment
-- result: [[12, "ab"]]
DECLARE @n int = 10, @s varchar(10) = 'a'
SET @n += 2
SET @s = @s + 'b'
SELECT @n AS n, @s AS s

-- case: if_else_blocks
-- result: [["big"]]
DECLARE @n int = 7
IF @n > 5
BEGIN
    SELECT 'big' AS size
END
ELSE
    SELECT 'small' AS size

-- case: t10_while_with_break_continue
-- result: [[6, 12]]
DECLARE @i int = 0, @total int = 0
WHILE @i < 10
BEGIN
    SET @i = @i + 1
    IF @i = 3 CONTINUE
    IF @i = 6 BREAK
    SET @total = @total + @i
END
SELECT @i AS i, @total AS total

-- case: t10_try_catch_and_while
-- result: [["Divide by zero error encountered."]]
-- result: [[2]]
BEGIN TRY SELECT 1/0 AS x; END TRY BEGIN CATCH SELECT ERROR_MESSAGE() AS m; END CATCH;
WHILE 1 = 0 BEGIN SELECT 1 AS never; END; SELECT 2 AS after_loop;

-- case: catch_error_functions
-- result: [[8134, 16, 1, 4, "Divide by zero error encountered."]]
BEGIN TRY
    DECLARE @d int = 0
    -- the failing statement is on line 4 of the batch
    SELECT 10 / @d AS x
END TRY
BEGIN CATCH
    SELECT ERROR_NUMBER() AS n, ERROR_SEVERITY() AS s, ERROR_STATE() AS st,
           ERROR_LINE() AS line, ERROR_MESSAGE() AS m
END CATCH

-- case: throw_user_error
-- error: 50001 model not found
THROW 50001, 'model not found', 1

-- case: throw_rethrow_in_catch
-- error: 8134 Divide by zero
BEGIN TRY
    SELECT 1 / 0 AS x
END TRY
BEGIN CATCH
    THROW
END CATCH

-- case: throw_number_below_50000
-- error: 35100 outside the valid range
THROW 100, 'too low', 1

-- case: raiserror_formats_arguments
-- error: 50000 table dbo.t has 5 rows
RAISERROR('table %s has %d rows', 16, 1, 'dbo.t', 5)

-- case: raiserror_low_severity_is_message
-- message: just information
-- result: [[1]]
RAISERROR('just information', 10, 1)
SELECT 1 AS after_message

-- case: print_message
-- message: scored 3 rows
PRINT 'scored ' + CAST(3 AS varchar(10)) + ' rows'

-- case: return_stops_batch
-- result: [[1]]
SELECT 1 AS a
RETURN
SELECT 2 AS b

-- case: nocount_hides_row_counts
-- result: [[1]]
SET NOCOUNT ON
SELECT 1 AS a

-- case: rowcount_after_dml_and_select
-- result: [[2]]
-- result: [[1, 2]]
-- result: [[1]]
CREATE TABLE dbo.rc (n int)
INSERT INTO dbo.rc VALUES (1), (2)
SELECT @@ROWCOUNT AS inserted
SELECT n, 2 AS two FROM dbo.rc WHERE n = 1
SELECT @@ROWCOUNT AS selected

-- case: table_variable_rejected_in_synapse
-- error: 40000 use a #temp table
DECLARE @t TABLE (id int)

-- case: table_variable_sqledge
-- target: sqledge
-- result: [[1, "a"]]
-- error: 1087 Must declare the table variable "@t"
-- error-batch: 2
DECLARE @t TABLE (id int, v varchar(5))
INSERT INTO @t VALUES (1, 'a')
SELECT * FROM @t
GO
SELECT * FROM @t

-- case: declared_twice
-- error: 134 has already been declared
DECLARE @a int
DECLARE @a int

-- case: go_count_zero
-- error: 102 GO count must be at least 1
-- error-line: 2
SELECT 1 AS a
GO 0

-- case: set_datefirst_other_than_default_rejected
-- result: [[1]]
-- error: 40000 SET DATEFIRST 1 is not supported
SET DATEFIRST 7
SELECT DATEPART(weekday, '2024-01-07') AS d
SET DATEFIRST 1

-- case: string_variables_keep_declared_length
-- result: [[40, 40, "abcde", 40]]
CREATE PROCEDURE dbo.len_of @s varchar(100), @o varchar(100) OUTPUT AS
BEGIN
    SET @o = @s
END
GO
DECLARE @c varchar(100) = '0123456789012345678901234567890123456789'
DECLARE @d varchar(max)
SET @d = @c
DECLARE @e varchar(5) = 'abcdefgh'
DECLARE @o varchar(100)
EXEC dbo.len_of @c, @o OUTPUT
SELECT LEN(@c) AS c, LEN(@d) AS d, @e AS e, LEN(@o) AS o
