-- 0005_subject_kinds: the other kinds of subject a health supervision institute licenses, inspects and
-- penalises, each a table of the generic record (registry/subject_kinds.c): the shared head (credit code,
-- name, category, territory, address, state) and the kind's own columns. One table per kind rather than one
-- table with a kind column: docs/registry.md ("Kinds of subject") gives the reasons. Their history, name
-- index and licences are the shared tables' (record_history, name_grams, licences) keyed by the kind's type.

-- 公共场所 (hotels, bathhouses, swimming pools, hairdressers …)
CREATE TABLE public_places (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  floor_area INTEGER,
  staff INTEGER,
  certified_staff INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX public_places_region ON public_places(region_code, id);
CREATE INDEX public_places_updated ON public_places(updated_at, id);

-- 供水单位 (集中式供水, 二次供水, 自建设施)
CREATE TABLE water_suppliers (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  water_source TEXT,
  daily_capacity INTEGER,
  population_served INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX water_suppliers_region ON water_suppliers(region_code, id);
CREATE INDEX water_suppliers_updated ON water_suppliers(updated_at, id);

-- 学校 (school health supervision: drinking water, infectious disease, teaching hygiene)
CREATE TABLE schools (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  students INTEGER,
  boarding INTEGER,
  has_clinic INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX schools_region ON schools(region_code, id);
CREATE INDEX schools_updated ON schools(updated_at, id);

-- 存在职业病危害的用人单位
CREATE TABLE hazard_employers (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  hazard_factors TEXT NOT NULL,     -- hazard factor codes, comma-separated
  hazard_class TEXT NOT NULL,       -- general | serious | severe
  exposed_workers INTEGER,
  declared INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX hazard_employers_region ON hazard_employers(region_code, id);
CREATE INDEX hazard_employers_updated ON hazard_employers(updated_at, id);

-- 职业卫生技术服务机构 (and 放射卫生技术服务机构)
CREATE TABLE occ_health_services (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  qualification_level TEXT,
  service_scope TEXT,
  technicians INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX occ_health_services_region ON occ_health_services(region_code, id);
CREATE INDEX occ_health_services_updated ON occ_health_services(updated_at, id);

-- 放射诊疗（放射工作）单位; institution_id when the unit is a registered medical institution
CREATE TABLE radiation_users (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  institution_id BIGINT REFERENCES institutions(id),
  devices INTEGER,
  radiation_workers INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX radiation_users_region ON radiation_users(region_code, id);
CREATE INDEX radiation_users_updated ON radiation_users(updated_at, id);

-- 药店
CREATE TABLE pharmacies (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  drug_licence_no TEXT,
  pharmacists INTEGER,
  insurance_designated INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX pharmacies_region ON pharmacies(region_code, id);
CREATE INDEX pharmacies_updated ON pharmacies(updated_at, id);

-- 托育机构
CREATE TABLE childcare_providers (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  filing_no TEXT,
  places INTEGER,
  carers INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX childcare_providers_region ON childcare_providers(region_code, id);
CREATE INDEX childcare_providers_updated ON childcare_providers(updated_at, id);

-- 消毒产品生产企业
CREATE TABLE disinfectant_makers (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  production_address TEXT,
  products TEXT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX disinfectant_makers_region ON disinfectant_makers(region_code, id);
CREATE INDEX disinfectant_makers_updated ON disinfectant_makers(updated_at, id);

-- 单位内设医疗机构（医务室、卫生室）
CREATE TABLE unit_clinics (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  parent_unit TEXT,
  licence_no TEXT,
  medical_staff INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX unit_clinics_region ON unit_clinics(region_code, id);
CREATE INDEX unit_clinics_updated ON unit_clinics(updated_at, id);

-- 医药企业 (credit records need them: issue 12)
CREATE TABLE pharma_companies (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100), unique within the kind
  name TEXT NOT NULL,
  category TEXT NOT NULL,             -- the kind's category code (registry/vocab.c)
  legal_rep TEXT,                     -- 法定代表人（负责人）
  region_code TEXT NOT NULL REFERENCES regions(code),
  address TEXT,
  lng_e6 BIGINT,
  lat_e6 BIGINT,
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  drug_licence_no TEXT,
  procurement_platform INTEGER,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX pharma_companies_region ON pharma_companies(region_code, id);
CREATE INDEX pharma_companies_updated ON pharma_companies(updated_at, id);

-- The licences these kinds hold (all issued by health administrations; a pharmacy's or a company's
-- drug licence is the drug administration's and is a field of the record, not a licence here).
-- holder_types lists every kind of subject that may hold a kind of licence (comma-separated, the main
-- one first, which holder_type keeps): licences of these kinds issued to medical institutions stay valid.
ALTER TABLE licence_kinds ADD COLUMN holder_types TEXT NOT NULL DEFAULT '';
UPDATE licence_kinds SET holder_types = holder_type;
UPDATE licence_kinds SET holder_type = 'public_place', holder_types = 'public_place,institution' WHERE code = 'public_place';
UPDATE licence_kinds SET holder_type = 'water_supply', holder_types = 'water_supply,school,institution' WHERE code = 'water_supply';
UPDATE licence_kinds SET holder_type = 'disinfect_maker', holder_types = 'disinfect_maker,institution'
  WHERE code = 'disinfect_producer';
UPDATE licence_kinds SET holder_types = 'institution,radiation_user,unit_clinic' WHERE code = 'radiation_diagnosis';
UPDATE licence_kinds SET holder_types = 'institution,unit_clinic' WHERE code = 'med_inst_practice';
UPDATE licence_kinds SET holder_type = 'occ_service', holder_types = 'occ_service,institution'
  WHERE code IN ('occ_health_service', 'rad_health_service');
INSERT INTO licence_kinds (code, name, holder_type, validity_years, seq, holder_types) VALUES
('childcare_filing',       '托育机构备案回执',       'childcare', 0, 28, 'childcare'),
('occ_hazard_declaration', '职业病危害项目申报回执', 'employer',  0, 29, 'employer');
