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
