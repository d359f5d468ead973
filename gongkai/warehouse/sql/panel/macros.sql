-- Message helpers of the SQL rules (temp macros, created per evaluation). gk_num, the number formatter,
-- is not defined here: it is gongkai.findings.fmt registered as a function (one formatter for every
-- engine's messages).
CREATE OR REPLACE TEMP MACRO gk_state(semantic, raw, value) AS
    CASE WHEN semantic IS NULL THEN '缺失' WHEN semantic = 'blank' THEN '为空白'
         WHEN semantic = 'unread' THEN '未能识别'
         WHEN semantic = 'number' THEN '为' || gk_num(value) ELSE '为「' || coalesce(raw, '') || '」' END;
CREATE OR REPLACE TEMP MACRO gk_quote(s) AS
    '「' || CASE WHEN length(s) > 80 THEN left(s, 80) || '…' ELSE s END || '」';
