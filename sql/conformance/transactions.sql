-- case: rollback_and_commit
-- result: [[0]]
-- result: [[1]]
CREATE TABLE dbo.t (a int)
BEGIN TRAN
INSERT INTO dbo.t VALUES (1)
ROLLBACK
SELECT COUNT(*) AS n FROM dbo.t
BEGIN TRANSACTION
INSERT INTO dbo.t VALUES (1)
COMMIT TRANSACTION
SELECT COUNT(*) AS n FROM dbo.t

-- case: failed_insert_select_leaves_no_rows
-- result: [[0]]
CREATE TABLE dbo.t (a int)
BEGIN TRY
    INSERT INTO dbo.t SELECT 1 UNION ALL SELECT 1 / 0
END TRY
BEGIN CATCH
    PRINT ERROR_MESSAGE()
END CATCH
SELECT COUNT(*) AS n FROM dbo.t

-- case: commit_without_begin
-- error: 3902 no corresponding BEGIN TRANSACTION
COMMIT

-- case: nested_begin_tran_counts_and_outer_commit_commits
-- result: [[1]]
-- result: [[2]]
-- result: [[1]]
-- result: [[0, 1]]
CREATE TABLE dbo.n (a int)
BEGIN TRAN
SELECT @@TRANCOUNT AS c
BEGIN TRAN
INSERT INTO dbo.n VALUES (1)
SELECT @@TRANCOUNT AS c
COMMIT
SELECT @@TRANCOUNT AS c
COMMIT
SELECT @@TRANCOUNT AS c, COUNT(*) AS rows_kept FROM dbo.n

-- case: rollback_in_nested_transaction_undoes_all
-- result: [[0, 0]]
CREATE TABLE dbo.n (a int)
BEGIN TRAN
INSERT INTO dbo.n VALUES (1)
BEGIN TRAN
INSERT INTO dbo.n VALUES (2)
ROLLBACK
SELECT @@TRANCOUNT AS c, COUNT(*) AS rows_kept FROM dbo.n
