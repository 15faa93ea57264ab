-- case: t3_if_object_id_drop
-- result: [[1]]
-- result: [[1]]
IF OBJECT_ID('tempdb..#feat') IS NOT NULL DROP TABLE #feat;
SELECT 1 AS id INTO #feat;
SELECT * FROM #feat;
IF OBJECT_ID('tempdb..#feat') IS NOT NULL DROP TABLE #feat;
SELECT 1 AS id INTO #feat;
SELECT * FROM #feat;

-- case: t5_schema_qualified_temp_table
-- result: [[5]]
-- result: [[9]]
CREATE TABLE dbo.customers (id int)
INSERT INTO dbo.customers VALUES (5)
CREATE TABLE dbo.batch (id int)
INSERT INTO dbo.batch VALUES (9)
SELECT id INTO [stage].[#batch] FROM dbo.customers;
SELECT * FROM [stage].[#batch];
SELECT * FROM dbo.batch;

-- case: global_temp_table
-- target: sqledge
-- result: [[1]]
CREATE TABLE ##shared (n int)
INSERT INTO ##shared VALUES (1)
SELECT n FROM ##shared

-- case: synapse_table_options_accepted
-- result: [[1, 1, 1, 1, 1]]
CREATE TABLE dbo.h (a int, b varchar(10)) WITH (DISTRIBUTION = HASH(a), CLUSTERED COLUMNSTORE INDEX)
CREATE TABLE dbo.r (a int) WITH (DISTRIBUTION = ROUND_ROBIN, HEAP)
CREATE TABLE dbo.p (a int) WITH (DISTRIBUTION = REPLICATE, CLUSTERED INDEX (a))
CREATE TABLE dbo.q (a int) WITH (DISTRIBUTION = HASH(a), PARTITION (a RANGE RIGHT FOR VALUES (1, 2)))
CREATE TABLE dbo.c WITH (DISTRIBUTION = ROUND_ROBIN) AS SELECT 1 AS a
INSERT INTO dbo.h VALUES (1, 'x')
INSERT INTO dbo.r VALUES (1)
INSERT INTO dbo.p VALUES (1)
INSERT INTO dbo.q VALUES (1)
SELECT (SELECT COUNT(*) FROM dbo.h) AS h, (SELECT COUNT(*) FROM dbo.r) AS r,
       (SELECT COUNT(*) FROM dbo.p) AS p, (SELECT COUNT(*) FROM dbo.q) AS q,
       (SELECT COUNT(*) FROM dbo.c) AS c

-- case: view_and_schema
-- result: [[2]]
CREATE SCHEMA stage
GO
CREATE TABLE stage.src (a int)
INSERT INTO stage.src VALUES (1)
GO
CREATE VIEW stage.v AS SELECT a + 1 AS b FROM stage.src
GO
SELECT b FROM stage.v
DROP VIEW stage.v
DROP VIEW IF EXISTS stage.v
DROP TABLE IF EXISTS stage.missing

-- case: drop_missing_table
-- error: 3701 Cannot drop the table 'dbo.nope'
DROP TABLE dbo.nope

-- case: object_already_exists
-- error: 2714 There is already an object named 't'
SELECT 1 AS x INTO t
SELECT 1 AS x INTO t

-- case: truncate_and_alter_column
-- result: [[0]]
-- result: [[3000000000]]
CREATE TABLE dbo.t (a int)
INSERT INTO dbo.t VALUES (1)
TRUNCATE TABLE dbo.t
SELECT COUNT(*) AS n FROM dbo.t
ALTER TABLE dbo.t ALTER COLUMN a bigint
INSERT INTO dbo.t VALUES (3000000000)
SELECT a FROM dbo.t

-- case: update_from_join
-- result: [[1, 100], [2, 20]]
-- result: [[1, 100], [2, 21]]
CREATE TABLE t (id int, v int)
INSERT INTO t VALUES (1, 10), (2, 20)
CREATE TABLE s (id int, v int)
INSERT INTO s VALUES (1, 100)
UPDATE t SET v = s.v FROM t JOIN s ON t.id = s.id
SELECT id, v FROM t ORDER BY id
UPDATE a SET v = a.v + 1 FROM t AS a LEFT JOIN s ON a.id = s.id WHERE s.id IS NULL
SELECT id, v FROM t ORDER BY id

-- case: delete_from_join
-- result: [[2]]
CREATE TABLE t (id int)
INSERT INTO t VALUES (1), (2)
CREATE TABLE s (id int)
INSERT INTO s VALUES (1)
DELETE t FROM t JOIN s ON t.id = s.id
SELECT id FROM t

-- case: merge_upsert
-- result: [[1, 100], [2, 20], [3, 300]]
CREATE TABLE t (id int, v int)
INSERT INTO t VALUES (1, 10), (2, 20)
CREATE TABLE s (id int, v int)
INSERT INTO s VALUES (1, 100), (3, 300)
MERGE INTO t USING s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET v = s.v
WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v);
SELECT id, v FROM t ORDER BY id

-- case: identity_in_insert_order
-- result: [[1, "a"], [2, "b"], [3, "c"]]
-- result: [[10, "x"], [15, "y"]]
CREATE TABLE dbo.t (id int IDENTITY(1, 1), v varchar(10))
INSERT INTO dbo.t (v) VALUES ('a'), ('b')
INSERT INTO dbo.t VALUES ('c')
SELECT id, v FROM dbo.t ORDER BY id
CREATE TABLE #s (id int IDENTITY(10, 5) NOT NULL, v varchar(10))
INSERT INTO #s (v) VALUES ('x')
INSERT INTO #s (v) VALUES ('y')
SELECT id, v FROM #s ORDER BY id

-- case: case_insensitive_identifiers
-- result: [[1]]
CREATE TABLE dbo.Mixed (Col int)
INSERT INTO DBO.MIXED (COL) VALUES (1)
SELECT col FROM dbo.mixed

-- case: identifiers_with_spaces
-- result: [[1, 2]]
-- columns: ["first col", "second col"]
CREATE TABLE [my table] ([first col] int, "second col" int)
INSERT INTO [my table] VALUES (1, 2)
SELECT [first col], "second col" FROM [my table]

-- case: non_constant_default_rejected
-- error: 40000 only constant defaults
CREATE TABLE t (a int, created datetime2 DEFAULT GETDATE())

-- case: global_temp_table_rejected_in_pool
-- error: 40000 Global temporary table '##g' is not supported in a dedicated SQL pool
SELECT 1 AS x INTO ##g

-- case: view_on_temp_table
-- error: 4508 Views or functions are not allowed on temporary tables. Table names that begin with '#' denote temporary tables.
-- error-batch: 2
CREATE TABLE #t (a int)
GO
CREATE VIEW dbo.vt AS SELECT a FROM #t

-- case: view_on_temp_table_sqledge
-- target: sqledge
-- error: 4508 Views or functions are not allowed on temporary tables.
CREATE TABLE #t (a int)
GO
CREATE VIEW dbo.vt AS SELECT a FROM dbo.x JOIN #t ON 1 = 1

-- case: merge_update_set_with_target_alias
-- result: [[1, "b|"], [2, "x |"]]
CREATE TABLE dbo.t (id int, y varchar(5))
CREATE TABLE dbo.s (id int, y varchar(5))
INSERT INTO dbo.t VALUES (1, 'a')
INSERT INTO dbo.s VALUES (1, 'b'), (2, 'c')
MERGE INTO dbo.t AS tgt USING dbo.s AS src ON tgt.id = src.id
WHEN MATCHED THEN UPDATE SET tgt.y = src.y
WHEN NOT MATCHED THEN INSERT (id, y) VALUES (src.id, src.y);
UPDATE dbo.t SET y = 'x ' WHERE y = 'C'
SELECT id, y + '|' AS y FROM dbo.t ORDER BY id

-- case: cross_and_outer_apply
-- result: [[1, 1], [2, 1]]
-- result: [[1, 10], [2, null]]
CREATE TABLE dbo.m (a int)
INSERT INTO dbo.m VALUES (1), (2)
SELECT m.a, z.z FROM dbo.m m CROSS APPLY (SELECT 1 AS z) z ORDER BY m.a
SELECT m.a, z.z FROM dbo.m m OUTER APPLY (SELECT 10 AS z WHERE m.a = 1) z ORDER BY m.a

-- case: cross_apply_table_function_rejected
-- error: 40000 The table-valued function STRING_SPLIT is not supported
CREATE TABLE dbo.m (a varchar(10))
SELECT s.value FROM dbo.m CROSS APPLY STRING_SPLIT(m.a, ',') AS s
