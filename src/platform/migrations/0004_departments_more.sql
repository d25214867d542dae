-- 0004_departments_more (before modules: part of global migration 7, 0007_responsibilities): the
-- departments the responsibility lists (权责清单) name beyond the first fifteen.
-- global-version: 7

INSERT INTO departments (code, name, remit) VALUES ('gov_office', '政府办公室', 'gov_office');
INSERT INTO departments (code, name, remit) VALUES ('organization', '组织部', 'organization');
INSERT INTO departments (code, name, remit) VALUES ('propaganda', '宣传部', 'propaganda');
INSERT INTO departments (code, name, remit) VALUES ('politics_law', '政法委', 'politics_law');
INSERT INTO departments (code, name, remit) VALUES ('reform', '改革办', 'reform');
INSERT INTO departments (code, name, remit) VALUES ('cyberspace', '网信办', 'cyberspace');
INSERT INTO departments (code, name, remit) VALUES ('establishment', '编办', 'establishment');
INSERT INTO departments (code, name, remit) VALUES ('economy', '经信局', 'economy');
INSERT INTO departments (code, name, remit) VALUES ('science', '科技局', 'science');
INSERT INTO departments (code, name, remit) VALUES ('commerce', '商务局', 'commerce');
INSERT INTO departments (code, name, remit) VALUES ('culture', '文化广电旅游局', 'culture');
INSERT INTO departments (code, name, remit) VALUES ('sports', '体育局', 'sports');
