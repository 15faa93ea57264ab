-- Strings compare under SQL_Latin1_General_CP1_CI_AS, a pool's default
-- collation: case-insensitive, and = ignores trailing spaces.

-- case: equality_ignores_case_and_trailing_spaces
-- result: [[1, 1, 1, 0]]
SELECT CASE WHEN 'ab' = 'AB' THEN 1 ELSE 0 END AS same_case,
       CASE WHEN 'ab' = 'ab ' THEN 1 ELSE 0 END AS trailing_space,
       CASE WHEN 'ab' IN ('AB', 'cd') THEN 1 ELSE 0 END AS in_list,
       CASE WHEN 'ab' < 'AB' THEN 1 ELSE 0 END AS less

-- case: join_group_distinct_ignore_case
-- result: [[2]]
-- result: [[2]]
-- result: [[2]]
-- result: [[2]]
CREATE TABLE dbo.a (k varchar(10), v int)
CREATE TABLE dbo.b (k varchar(10), w int)
INSERT INTO dbo.a VALUES ('ab', 1), ('AB', 2), ('Cd', 3)
INSERT INTO dbo.b VALUES ('aB', 10)
SELECT COUNT(*) AS n FROM dbo.a JOIN dbo.b ON a.k = b.k
SELECT COUNT(DISTINCT k) AS d FROM dbo.a
SELECT COUNT(*) AS g FROM (SELECT k FROM dbo.a GROUP BY k) AS grouped
SELECT COUNT(*) AS d FROM (SELECT DISTINCT k FROM dbo.a) AS distinct_keys

-- case: order_by_ignores_case
-- result: [["a"], ["B"], ["c"]]
CREATE TABLE dbo.a (k varchar(10))
INSERT INTO dbo.a VALUES ('c'), ('B'), ('a')
SELECT k FROM dbo.a ORDER BY k

-- case: like_ignores_case
-- result: [[1, 0]]
SELECT CASE WHEN 'Abc' LIKE 'a%' THEN 1 ELSE 0 END AS starts,
       CASE WHEN 'Abc' NOT LIKE '%C' THEN 1 ELSE 0 END AS not_ends

-- case: like_bracket_patterns
-- result: [[1, 0, 1, 0, 1, 1, 0, 1]]
SELECT CASE WHEN 'bcd' LIKE '[AB]%' THEN 1 ELSE 0 END AS in_set,
       CASE WHEN 'bcd' LIKE '[^AB]%' THEN 1 ELSE 0 END AS not_in_set,
       CASE WHEN 'a_b' LIKE 'a[_]b' THEN 1 ELSE 0 END AS underscore,
       CASE WHEN 'axb' LIKE 'a[_]b' THEN 1 ELSE 0 END AS not_underscore,
       CASE WHEN '10%' LIKE '%[%]' THEN 1 ELSE 0 END AS percent,
       CASE WHEN 'B2' LIKE '[a-c][0-9]' THEN 1 ELSE 0 END AS ranges,
       CASE WHEN 'd2' LIKE '[a-c][0-9]' THEN 1 ELSE 0 END AS out_of_range,
       CASE WHEN 'a%' LIKE 'a!%' ESCAPE '!' THEN 1 ELSE 0 END AS escaped

-- case: like_bracket_pattern_in_variable
-- result: [["Bob"]]
CREATE TABLE dbo.people (name varchar(20))
INSERT INTO dbo.people VALUES ('Ann'), ('Bob')
DECLARE @pattern varchar(10) = '[b-c]%'
SELECT name FROM dbo.people WHERE name LIKE @pattern

-- case: patindex_charindex_replace_ignore_case
-- result: [[3, 2, 0, "AxC", "xxx"]]
SELECT PATINDEX('%[cd]%', 'abCd') AS pattern_position,
       CHARINDEX('B', 'abc') AS position, CHARINDEX('z', 'abc') AS missing,
       REPLACE('ABC', 'b', 'x') AS replaced, REPLACE('aAa', 'A', 'x') AS all_cases

-- case: in_list_ignores_trailing_spaces_and_case
-- result: [[1], [2], [3]]
CREATE TABLE dbo.k (id int, code varchar(5))
INSERT INTO dbo.k VALUES (1, 'ab'), (2, 'AB'), (3, 'ab '), (4, 'abc')
SELECT id FROM dbo.k WHERE code IN ('ab', 'x') ORDER BY id
