-- case: invalid_column
-- result: [[1]]
-- error: 207 Invalid column name 'nosuchcol'
-- error-line: 2
SELECT 1 AS a
SELECT nosuchcol FROM (SELECT 1 AS a) AS x

-- case: invalid_object
-- result: [[1]]
-- error: 208 Invalid object name
-- error-line: 3
-- error-batch: 2
SELECT 1 AS a
GO
PRINT 'second batch'
-- the error line counts from the start of this batch
SELECT * FROM dbo.nosuch

-- case: syntax_error
-- error: 102 Incorrect syntax near
-- error-line: 2
SELECT 1 AS a
SELECT * FROM WHERE

-- case: statement_after_error_does_not_run
-- error: 8134 Divide by zero
CREATE TABLE dbo.t (a int)
SELECT 1 / 0 AS x
INSERT INTO dbo.t VALUES (1)

-- case: unsupported_construct_named
-- error: 40000 FOR XML
SELECT 1 AS a FOR XML PATH

-- case: cte_after_statement_without_semicolon
-- error: 319 the previous statement must be terminated with a semicolon
-- error-line: 2
SELECT 1 AS a
WITH c AS (SELECT 1 AS x) SELECT x FROM c

-- case: cte_after_semicolon_or_block_start
-- result: [[1]]
-- result: [[2]]
SELECT 1 AS a;
BEGIN
WITH c AS (SELECT 2 AS x) SELECT x FROM c
END

-- case: trailing_comma_in_select_list
-- error: 102 Incorrect syntax near the keyword 'FROM'.
-- error-line: 3
CREATE TABLE dbo.t (a int)
SELECT a,
FROM dbo.t

-- case: trailing_comma_in_from_clause
-- error: 102 Incorrect syntax near ','.
CREATE TABLE dbo.t (a int)
SELECT a FROM dbo.t,

-- case: trailing_comma_in_order_by
-- error: 102 Incorrect syntax near ','.
SELECT 1 AS a ORDER BY a,

-- case: empty_in_list
-- error: 102 Incorrect syntax near ')'.
CREATE TABLE dbo.t (a int)
SELECT a FROM dbo.t WHERE a IN ()

-- case: trailing_comma_in_create_table_columns
-- result: [[1]]
CREATE TABLE dbo.t (a int,)
INSERT INTO dbo.t VALUES (1)
SELECT a FROM dbo.t

-- case: create_table_in_missing_schema
-- error: 2760 The specified schema name "stage" either does not exist or you do not have permission to use it.
CREATE TABLE stage.x (a int)

-- case: unknown_function
-- error: 195 'no_such_function' is not a recognized built-in function name.
SELECT no_such_function(1) AS a

-- case: column_not_in_group_by
-- error: 8120 is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause.
CREATE TABLE dbo.t (a int, b int)
SELECT a, b FROM dbo.t GROUP BY a

-- case: ambiguous_column
-- error: 209 Ambiguous column name 'a'.
CREATE TABLE dbo.t (a int)
CREATE TABLE dbo.u (a int)
SELECT a FROM dbo.t CROSS JOIN dbo.u

-- case: insert_too_few_values
-- error: 213 Column name or number of supplied values does not match table definition.
CREATE TABLE dbo.t (a int, b int)
INSERT INTO dbo.t VALUES (1)

-- case: cursor_rejected
-- error: 40000 Cursors are not supported in a dedicated SQL pool
-- error-line: 2
SELECT 1 AS a
DECLARE c CURSOR FOR SELECT 1 AS a

-- case: cursor_statement_rejected
-- error: 40000 Cursors are not supported
-- error-line: 2
SELECT 1 AS a
OPEN c

-- case: trigger_rejected
-- error: 40000 Triggers are not supported in a dedicated SQL pool
CREATE TRIGGER dbo.tr ON dbo.t AFTER INSERT AS SELECT 1 AS a

-- case: execute_as_rejected
-- error: 40000 EXECUTE AS is not supported in a dedicated SQL pool
EXECUTE AS USER = 'someone'

-- case: duckdb_table_function_rejected
-- error: 40000 The table-valued function READ_CSV is not supported
SELECT * FROM read_csv('somefile.csv')

-- case: format_numeric_n_and_f
-- result: [["1.50", "1,234,567.13", "2.3", "-1,235", "2024-03-05"]]
SELECT FORMAT(1.5, 'N2') AS a, FORMAT(1234567.125, 'N2') AS b, FORMAT(2.25, 'F1') AS c,
       FORMAT(-1234.5, 'N0') AS d, FORMAT(CAST('2024-03-05' AS date), 'yyyy-MM-dd') AS e

-- case: format_unsupported_pattern_is_named
-- error: 40000 FORMAT with format 'C' is not supported
SELECT FORMAT(1.5, 'C') AS a

-- case: procedure_with_execute_as_rejected
-- error: 40000 WITH EXECUTE AS in procedure dbo.p is not supported in a dedicated SQL pool
CREATE PROCEDURE dbo.p WITH EXECUTE AS OWNER AS SELECT 1 AS x

-- case: invalid_date_string_is_msg_241
-- error: 241 Conversion failed when converting date and/or time from character string.
SELECT CAST('2024-13-45' AS date) AS d

-- case: invalid_decimal_string_is_msg_8114
-- error: 8114 Error converting data type varchar to numeric.
SELECT CAST('abc' AS decimal(5, 2)) AS d

-- case: decimal_overflow_is_msg_8115
-- error: 8115 Arithmetic overflow error converting
SELECT CAST(1000 AS decimal(3, 1)) AS d

-- case: union_column_count_mismatch_is_msg_205
-- error: 205 All queries combined using a UNION, INTERSECT or EXCEPT operator
SELECT 1 AS a UNION SELECT 1, 2

-- case: unknown_table_prefix_is_4104
-- error: 4104 The multi-part identifier "x..." could not be bound
CREATE TABLE dbo.tr (f00 int)
SELECT x.f00 FROM dbo.tr

-- case: left_and_right_on_numbers_and_error_message
-- result: [["ab", "ef", "12"]]
-- result: [["Divide by "]]
CREATE TABLE dbo.t (name varchar(10), n int)
INSERT INTO dbo.t VALUES ('abcdef', 12345)
SELECT LEFT(name, 2) AS a, RIGHT(name, 2) AS b, LEFT(n, 2) AS c FROM dbo.t
BEGIN TRY SELECT 1/0 AS x END TRY BEGIN CATCH SELECT LEFT(ERROR_MESSAGE(), 10) AS m END CATCH

-- case: duplicate_column_names
-- error: 2705 Column names in each table must be unique
CREATE TABLE dbo.dup (Num int, NUM int)
