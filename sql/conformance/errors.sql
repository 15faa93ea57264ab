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
