-- case: t4_string_concatenation
-- result: [["Ann Lee", null, 3, "ab1"]]
CREATE TABLE dbo.people ([first name] nvarchar(20), last_name nvarchar(20))
INSERT INTO dbo.people VALUES ('Ann', 'Lee')
SELECT [first name] + N' ' + last_name AS full_name, 'x' + NULL AS nothing,
       1 + 2 AS three, 'ab' + CAST(1 AS varchar(5)) AS text_plus_cast
FROM dbo.people

-- case: t6_max_types
-- result: [["0x0102FF", "abc", "x"]]
DECLARE @model varbinary(max) = 0x0102FF
DECLARE @s nvarchar(max) = N'abc'
DECLARE @v varchar(max) = 'x'
SELECT @model AS model, @s AS s, @v AS v

-- case: t7_integer_division
-- result: [[3, 3.7, -3, 1, -1]]
-- types: ["int", null, "int", "int", "int"]
CREATE TABLE dbo.people (age int)
INSERT INTO dbo.people VALUES (37)
SELECT age / 10 AS age_band, age / 10.0 AS exact, -7 / 2 AS neg, 7 % 3 AS modulo,
       -7 % 3 AS neg_modulo
FROM dbo.people

-- case: t8_float_is_double
-- result: [[0.1234567890123, 16777217.0, 16777216.0]]
-- types: ["float", "float", "real"]
CREATE TABLE p (id int, score float);
INSERT INTO p SELECT 1, 0.1234567890123;
SELECT score, CAST(16777217 AS float) AS big, CAST(16777217 AS real) AS single FROM p;

-- case: t9_varchar_without_length_in_cast
-- result: [["abcdefghijklmnopqrstuvwxyz0123"]]
SELECT CAST('abcdefghijklmnopqrstuvwxyz0123456789' AS varchar) AS v;

-- case: varchar_without_length_in_declare
-- result: [["a"]]
DECLARE @c varchar = 'abc'
SELECT @c AS c

-- case: t9_varchar_column_rejects_longer_value
-- error: 2628 String or binary data would be truncated
CREATE TABLE dbo.codes (code varchar(5))
INSERT INTO dbo.codes VALUES ('abcdefg')

-- case: varchar_column_update_too_long
-- result: [[0]]
-- error: 2628 String or binary data would be truncated
CREATE TABLE dbo.codes (code varchar(5))
INSERT INTO dbo.codes VALUES ('abc')
SELECT COUNT(*) AS long_codes FROM dbo.codes WHERE LEN(code) > 5
UPDATE dbo.codes SET code = code + 'defgh'

-- case: divide_by_zero
-- error: 8134 Divide by zero error encountered
SELECT 1 / 0 AS x

-- case: modulo_by_zero
-- error: 8134 Divide by zero error encountered
SELECT 5 % 0 AS x

-- case: cast_failure
-- error: 245 Conversion failed when converting the varchar value 'abc' to data type int
SELECT CAST('abc' AS int) AS x

-- case: convert_failure
-- error: 245 Conversion failed when converting the varchar value 'abc' to data type int
SELECT CONVERT(int, 'abc') AS x

-- case: try_cast_and_try_convert
-- result: [[null, 12, null, "2024-03-05"]]
SELECT TRY_CAST('abc' AS int) AS a, TRY_CONVERT(int, '12') AS b,
       TRY_CONVERT(int, 'x') AS c, TRY_CONVERT(date, '05/03/2024', 103) AS d

-- case: convert_date_styles_to_text
-- result: [["03/05/2024", "05/03/2024", "20240305", "2024-03-05 13:04:05", "2024-03-05 13:04:05.123", "2024-03-05", "2024-03-05"]]
DECLARE @d date = '2024-03-05'
DECLARE @t datetime = '2024-03-05 13:04:05.123'
SELECT CONVERT(varchar(10), @d, 101) AS s101, CONVERT(varchar(10), @d, 103) AS s103,
       CONVERT(varchar(8), @d, 112) AS s112, CONVERT(varchar(19), @t, 120) AS s120,
       CONVERT(varchar(23), @t, 121) AS s121, CONVERT(varchar(10), @d, 23) AS s23,
       CONVERT(varchar(10), @t, 120) AS s120_cut

-- case: convert_text_to_date_with_style
-- result: [["2024-03-05", "2024-03-05", "2024-03-05", "2024-03-05T13:04:05"]]
SELECT CONVERT(date, '03/05/2024', 101) AS a, CONVERT(date, '05/03/2024', 103) AS b,
       CONVERT(date, '20240305', 112) AS c,
       CONVERT(datetime, '2024-03-05 13:04:05', 120) AS d

-- case: isnull_and_iif
-- result: [[5, "b", "x"]]
SELECT ISNULL(NULL, 5) AS a, IIF(1 > 2, 'a', 'b') AS b, ISNULL(N'x', N'y') AS c

-- case: top_n
-- result: [[1], [2]]
SELECT TOP (2) x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS q ORDER BY x

-- case: top_percent_rejected_in_synapse
-- error: 40000 use TOP (n)
SELECT TOP 50 PERCENT x FROM (SELECT 1 AS x UNION ALL SELECT 2) AS q

-- case: top_percent_rounds_up_in_sqledge
-- target: sqledge
-- result: [[1], [2]]
SELECT TOP 50 PERCENT x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS q ORDER BY x

-- case: len_ignores_trailing_spaces
-- result: [[2, 3, 0, 3]]
-- types: ["int", "int", "int", "int"]
SELECT LEN('ab  ') AS a, LEN(N'  x') AS b, LEN('') AS c, LEN(123) AS d

-- case: datalength_of_binary_and_text
-- result: [[3, 3]]
DECLARE @b varbinary(max) = 0x0102FF
SELECT DATALENGTH(@b) AS b, DATALENGTH('abc') AS s

-- case: dateadd_and_eomonth
-- result: [["2024-02-01", "2024-02-29T00:00:00", "2024-02-29"]]
SELECT DATEADD(day, 1, CAST('2024-01-31' AS date)) AS next_day,
       DATEADD(month, 1, CAST('2024-01-31' AS datetime)) AS next_month,
       EOMONTH('2024-02-10') AS month_end

-- case: datediff_counts_boundaries
-- result: [[1, 1, 1, 0]]
SELECT DATEDIFF(year, '2023-12-31', '2024-01-01') AS years,
       DATEDIFF(month, '2024-01-31', '2024-02-01') AS months,
       DATEDIFF(day, '2024-01-01 23:59', '2024-01-02 00:01') AS days,
       DATEDIFF(day, GETDATE(), GETDATE()) AS same_day

-- case: getdate_is_local_datetime
-- result: [[1]]
SELECT CASE WHEN GETDATE() IS NOT NULL AND ABS(DATEDIFF(day, GETDATE(), SYSDATETIME())) = 0 THEN 1 ELSE 0 END AS ok

-- case: national_literals
-- result: [["Zoë", 3]]
SELECT N'Zoë' AS name, LEN(N'Zoë') AS n

-- case: column_alias_forms
-- result: [["v1", "v2", "v3", "v4"]]
-- columns: ["a", "b", "c d", "e"]
SELECT 'v1' AS a, b = 'v2', 'v3' 'c d', 'v4' e

-- case: subquery_returned_more_than_one_value
-- error: 512 Subquery returned more than 1 value
SELECT (SELECT 1 UNION ALL SELECT 2) AS x

-- case: subquery_into_variable_more_than_one_value
-- error: 512 Subquery returned more than 1 value
DECLARE @v int = (SELECT 1 UNION ALL SELECT 2)

-- case: convert_text_to_binary_styles
-- result: [["0x0A0B", "0x0A0B", "0x307830413042", "0x4142", "0x"]]
-- types: ["varbinary(max)", "varbinary(max)", "varbinary(max)", "varbinary(max)", "varbinary(max)"]
SELECT CONVERT(varbinary(max), '0x0A0B', 1) AS style1,
       CONVERT(varbinary(max), '0A0B', 2) AS style2,
       CONVERT(varbinary(max), '0x0A0B') AS style0,
       CAST('AB' AS varbinary(max)) AS cast_text,
       CONVERT(varbinary(max), '0x', 1) AS empty

-- case: convert_binary_to_text_styles
-- result: [["0x0A0B", "0A0B", "AB", "AB"]]
DECLARE @b varbinary(max) = 0x0A0B
SELECT CONVERT(varchar(max), @b, 1) AS style1, CONVERT(varchar(max), 0x0A0B, 2) AS style2,
       CONVERT(varchar(max), 0x4142) AS style0, CAST(0x4142 AS varchar(10)) AS cast_binary

-- case: convert_text_to_binary_invalid_hex
-- error: 8114 Error converting data type varchar to varbinary.
SELECT CONVERT(varbinary(max), '0xZZ', 1) AS b

-- case: try_convert_text_to_binary_invalid_hex
-- result: [[null, "0x0A0B"]]
SELECT TRY_CONVERT(varbinary(max), 'ZZ', 2) AS bad, TRY_CONVERT(varbinary(max), '0A0B', 2) AS good

-- case: empty_binary_constant
-- result: [["0x", 0, "0x0102"]]
-- types: ["varbinary(max)", null, "varbinary(max)"]
DECLARE @b varbinary(max) = 0x
SELECT 0x AS empty, DATALENGTH(@b) AS bytes, 0x0102 AS two

-- case: string_plus_number_adds
-- result: [[2, 3, 6, 9, 2.75, "1a"]]
-- types: ["int", "int", "int", "int", null, "varchar(max)"]
SELECT '1' + 1 AS a, 1 + '2' AS b, '2' * 3 AS c, 10 - '1' AS d, '1.5' + 1.25 AS e,
       '1' + 'a' AS f

-- case: string_plus_number_conversion_fails
-- error: 245 Conversion failed when converting the varchar value 'abc' to data type int.
SELECT 'abc' + 1 AS a

-- case: varchar_column_plus_int_column
-- result: [[45, "405"]]
-- types: ["int", null]
CREATE TABLE dbo.t (a varchar(5), b int)
INSERT INTO dbo.t VALUES ('40', 5)
SELECT a + b AS total, a + CAST(b AS varchar(5)) AS text FROM dbo.t

-- case: varchar_variable_plus_int_variable
-- result: [[45, 9, "405"]]
DECLARE @s varchar(5) = '40', @n int = 5
SELECT @s + @n AS total, LEN(@s) + @n + 5 - '3' AS length_sum,
       @s + CONVERT(varchar(5), @n) AS text

-- case: aggregate_result_types
-- result: [[1, 3, 1, 3, 1, 1, 3, 1.875, 3.75, 1.5, 2, 2]]
-- types: ["int", "int", "bigint", "bigint", "int", "int", "int", "decimal(38,6)", "decimal(38,2)", "float", "int", "bigint"]
CREATE TABLE dbo.t (i int, b bigint, s smallint, t tinyint, d decimal(10,2), f float)
INSERT INTO dbo.t VALUES (1, 1, 1, 1, 1.50, 1), (2, 2, 2, 2, 2.25, 2)
SELECT AVG(i) AS avg_int, SUM(i) AS sum_int, AVG(b) AS avg_bigint, SUM(b) AS sum_bigint,
       AVG(s) AS avg_smallint, AVG(t) AS avg_tinyint, SUM(t) AS sum_tinyint,
       AVG(d) AS avg_decimal, SUM(d) AS sum_decimal, AVG(f) AS avg_float,
       COUNT(*) AS n, COUNT_BIG(*) AS n_big
FROM dbo.t

-- case: avg_int_truncates_toward_zero
-- result: [[1, -1], [2, 2]]
-- types: ["int", "int"]
-- result: [[-1], [-1], [2], [2]]
-- types: ["int"]
CREATE TABLE dbo.t (g int, a int)
INSERT INTO dbo.t VALUES (1, -1), (1, -2), (2, 2), (2, 3)
SELECT g, AVG(a) AS mean FROM dbo.t GROUP BY g ORDER BY g
SELECT AVG(a) OVER (PARTITION BY g) AS mean FROM dbo.t ORDER BY g, a

-- case: sum_int_overflow
-- error: 8115 Arithmetic overflow error converting expression to data type int.
CREATE TABLE dbo.t (a int)
INSERT INTO dbo.t VALUES (2147483647), (1)
SELECT SUM(a) AS total FROM dbo.t

-- case: cast_int_to_short_varchar_is_star
-- result: [["*", "12", "*"]]
DECLARE @n smallint = 1234
SELECT CAST(12345 AS varchar(3)) AS a, CAST(12 AS varchar(3)) AS b, CONVERT(varchar(2), @n) AS c

-- case: cast_decimal_to_short_varchar_overflows
-- error: 8115 Arithmetic overflow error converting numeric to data type varchar.
SELECT CAST(12345.678 AS varchar(3)) AS a

-- case: cast_float_to_short_varchar_overflows
-- error: 8115 Arithmetic overflow error converting float to data type varchar.
DECLARE @f float = 12345.5
SELECT CAST(@f AS varchar(3)) AS a

-- case: cast_text_to_int_is_strict
-- result: [[12, 0, null, -7]]
-- error: 245 Conversion failed when converting the varchar value '1.5' to data type int.
-- error-line: 2
SELECT CAST(' 12 ' AS int) AS a, CAST('' AS int) AS b, TRY_CAST('1.5' AS int) AS c, CAST('-7' AS bigint) AS d
SELECT CAST('1.5' AS int) AS e

-- case: text_plus_int_with_decimal_point_fails
-- error: 245 Conversion failed when converting the varchar value '1.5' to data type int.
SELECT '1.5' + 1 AS a

-- case: cast_fraction_to_integer_truncates
-- result: [[2, -2, 2, 2, -1, 2]]
SELECT CAST(2.5 AS int) AS a, CAST(-2.5 AS int) AS b, CONVERT(int, 2.99) AS c,
       CAST(CAST(2.7 AS float) AS bigint) AS d, CAST(CAST(-1.5 AS money) AS smallint) AS e,
       CAST(2.9e0 AS tinyint) AS f

-- case: cast_fraction_to_integer_overflow
-- error: 8115 Arithmetic overflow error converting
SELECT CAST(3000000000.5 AS int) AS a

-- case: integer_addition_overflow_names_type
-- error: 8115 Arithmetic overflow error converting expression to data type int.
SELECT CAST(2147483647 AS int) + 1 AS a

-- case: datepart_weekday_and_week_start_on_sunday
-- result: [[1, 7, 2, 1, 53]]
SELECT DATEPART(weekday, '2024-01-07') AS sunday,
       DATEPART(dw, CAST('2024-01-06' AS date)) AS saturday,
       DATEPART(week, '2024-01-07') AS second_week,
       DATEPART(week, '2024-01-06') AS first_week,
       DATEPART(week, CAST('2023-12-31' AS date)) AS last_week

-- case: datediff_week_counts_sundays
-- result: [[1, 0, -1, 30]]
SELECT DATEDIFF(week, '2024-01-06', '2024-01-07') AS saturday_to_sunday,
       DATEDIFF(week, '2024-01-07', '2024-01-13') AS same_week,
       DATEDIFF(wk, '2024-01-13', '2024-01-01') AS backwards,
       DATEDIFF(dd, '2024-01-01', '2024-01-31') AS days

-- case: isnull_returns_type_of_first_argument
-- result: [["ab", "abc", "abcdef"]]
-- result: [[0, 0.5], [3, 3.0]]
-- types: ["int", null]
CREATE TABLE dbo.t (i int)
INSERT INTO dbo.t VALUES (NULL), (3)
DECLARE @v varchar(3)
SELECT ISNULL(CAST(NULL AS varchar(2)), 'abcdef') AS a, ISNULL(@v, 'abcdef') AS b,
       COALESCE(CAST(NULL AS varchar(2)), 'abcdef') AS c
SELECT ISNULL(i, 0.5) AS x, COALESCE(i, 0.5) AS y FROM dbo.t ORDER BY i

-- case: datalength_counts_stored_bytes
-- result: [[6, 1, 4, 4, 4, 9, null]]
DECLARE @n nvarchar(10) = N'ab'
SELECT DATALENGTH(N'abc') AS nvarchar_literal,
       DATALENGTH(CAST(N'é' AS varchar(10))) AS latin1_varchar,
       DATALENGTH('abc ') AS trailing_space, DATALENGTH(@n) AS nvarchar_variable,
       DATALENGTH(1) AS int_constant, DATALENGTH(CAST(1.5 AS decimal(10, 2))) AS dec,
       DATALENGTH(CAST(NULL AS int)) AS null_value

-- case: int_result_types_of_date_and_math_functions
-- result: [[2024, 3, 1, 2, 1, 8, 0, -1]]
-- types: ["int", "int", "int", "int", "int", "int", "int", "int"]
SELECT YEAR('2024-03-01') AS y, MONTH(CAST('2024-03-01' AS date)) AS m,
       DAY(CAST('2024-03-01' AS date)) AS d, CHARINDEX('b', 'abc') AS position,
       DATEDIFF(day, '2024-01-01', '2024-01-02') AS days, POWER(2, 3) AS cube,
       POWER(2, -1) AS half, SIGN(-5) AS sign

-- case: date_plus_int_is_operand_type_clash
-- error: 206 Operand type clash: date is incompatible with int
SELECT CAST('2024-01-31' AS date) + 1 AS next_day

-- case: datetime_plus_number_adds_days
-- result: [["2024-02-01T00:00:00", "2024-01-29T12:00:00", "2024-02-02T00:00:00"]]
SELECT CAST('2024-01-31' AS datetime) + 1 AS next_day,
       CAST('2024-01-31' AS datetime) - 1.5 AS earlier,
       2 + CAST('2024-01-31' AS datetime) AS later

-- case: cast_to_datetime_rounds_to_ticks
-- result: [["2024-03-06T00:00:00", "2024-03-05T10:00:00.003000", "2024-03-05T10:00:00.007000", "2024-03-05T10:00:00"]]
SELECT CAST('2024-03-05 23:59:59.999' AS datetime) AS next_day,
       CAST('2024-03-05 10:00:00.002' AS datetime) AS up,
       CAST('2024-03-05 10:00:00.005' AS datetime) AS to_seven,
       CONVERT(datetime, '2024-03-05 10:00:00.001') AS down

-- case: plus_on_derived_table_columns_uses_their_types
-- result: [[2, "1b"]]
-- result: [[45, "4040"]]
SELECT x.a + 1 AS n, x.a + 'b' AS s FROM (SELECT '1' AS a) x;
WITH c AS (SELECT '40' AS v, 5 AS w) SELECT v + w AS t, v + v AS u FROM c
