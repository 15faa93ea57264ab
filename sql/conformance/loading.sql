-- case: copy_into_csv_options
-- result: [[1, "Ann"], [2, "Lee, Jr"]]
CREATE TABLE dbo.people (id int, name nvarchar(20))
COPY INTO dbo.people
FROM '{data}/people.csv'
WITH (FILE_TYPE = 'CSV', FIRSTROW = 2, FIELDTERMINATOR = ',', ROWTERMINATOR = '0x0A', FIELDQUOTE = '"')
SELECT id, name FROM dbo.people ORDER BY id

-- case: copy_into_hex_into_varbinary
-- result: [[1, "0x0102AB"], [2, "0xDEADBEEF"]]
CREATE TABLE dbo.models (id int, model varbinary(max)) WITH (DISTRIBUTION = ROUND_ROBIN, HEAP)
COPY INTO dbo.models FROM '{data}/models_hex.csv' WITH (FIELDTERMINATOR = '|')
SELECT id, model FROM dbo.models ORDER BY id

-- case: copy_into_parquet
-- result: [[1, 0.5], [2, 0.25]]
CREATE TABLE dbo.scores (id bigint, score float)
COPY INTO dbo.scores FROM '{data}/scores.parquet' WITH (FILE_TYPE = 'PARQUET')
SELECT id, score FROM dbo.scores ORDER BY id

-- case: copy_into_column_list
-- result: [[null, "Ann"], [null, "Lee, Jr"]]
CREATE TABLE dbo.people (extra int, name nvarchar(20), id int)
COPY INTO dbo.people (id, name) FROM '{data}/people.csv' WITH (FIRSTROW = 2)
SELECT extra, name FROM dbo.people ORDER BY id

-- case: copy_into_rejects_url
-- error: 40000 not a local file
CREATE TABLE dbo.t (a int)
COPY INTO dbo.t FROM 'https://example.blob.core.windows.net/data/t.csv'

-- case: copy_into_missing_file
-- error: 4860 could not be opened
CREATE TABLE dbo.t (a int)
COPY INTO dbo.t FROM '{data}/no_such_file.csv'
