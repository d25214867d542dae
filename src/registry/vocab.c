/* vocab.c — the registry's code lists. Clinical department codes follow the national catalogue
 * of clinical departments (《医疗机构诊疗科目名录》); large equipment follows the catalogue of
 * large medical equipment under configuration licensing (大型医用设备配置许可管理目录, 2023). */
#include "vocab.h"

#include <string.h>

#define VOCAB(var, name, ...)                                                                   \
	static const yj_vocab_entry var##_v[] = {__VA_ARGS__};                                  \
	const yj_vocab var = {name, var##_v, sizeof var##_v / sizeof var##_v[0]}

VOCAB(yj_voc_institution_type, "institution_type",
      {"general_hospital", "综合医院"}, {"tcm_hospital", "中医医院"}, {"integrated_hospital", "中西医结合医院"},
      {"specialized_hospital", "专科医院"}, {"maternal_child", "妇幼保健院"},
      {"community_centre", "社区卫生服务中心"}, {"community_station", "社区卫生服务站"},
      {"township_centre", "乡镇卫生院"}, {"village_clinic", "村卫生室"}, {"outpatient_dept", "门诊部"},
      {"clinic", "诊所"}, {"dental_clinic", "口腔诊所"}, {"tcm_clinic", "中医诊所"},
      {"aesthetic", "医疗美容机构"}, {"exam_centre", "健康体检中心"}, {"internet_hospital", "互联网医院"},
      {"elderly_care", "医养结合机构"}, {"tcm_wellness", "中医养生保健机构"}, {"cdc", "疾病预防控制中心"},
      {"blood_station", "采供血机构"}, {"lab_centre", "医学检验实验室"}, {"imaging_centre", "医学影像诊断中心"},
      {"nursing_home", "护理院"}, {"other", "其他"});

VOCAB(yj_voc_level, "level", {"3", "三级"}, {"2", "二级"}, {"1", "一级"}, {"none", "未定级"});
VOCAB(yj_voc_grade, "grade", {"A", "甲等"}, {"B", "乙等"}, {"C", "丙等"}, {"none", "未评等"});
VOCAB(yj_voc_ownership, "ownership", {"public", "公立"}, {"private", "社会办"});
VOCAB(yj_voc_profit, "profit", {"nonprofit", "非营利性"}, {"forprofit", "营利性"});

VOCAB(yj_voc_clinical_dept, "clinical_dept",
      {"01", "预防保健科"}, {"02", "全科医疗科"}, {"03", "内科"}, {"04", "外科"}, {"05", "妇产科"},
      {"06", "妇女保健科"}, {"07", "儿科"}, {"08", "小儿外科"}, {"09", "儿童保健科"}, {"10", "眼科"},
      {"11", "耳鼻咽喉科"}, {"12", "口腔科"}, {"13", "皮肤科"}, {"14", "医疗美容科"}, {"15", "精神科"},
      {"16", "传染科"}, {"17", "结核病科"}, {"18", "地方病科"}, {"19", "肿瘤科"}, {"20", "急诊医学科"},
      {"21", "康复医学科"}, {"22", "运动医学科"}, {"23", "职业病科"}, {"24", "临终关怀科"},
      {"25", "特种医学与军事医学科"}, {"26", "麻醉科"}, {"27", "疼痛科"}, {"28", "重症医学科"},
      {"30", "医学检验科"}, {"31", "病理科"}, {"32", "医学影像科"}, {"50", "中医科"},
      {"51", "民族医学科"}, {"52", "中西医结合科"}, {"69", "其他业务科室"});

VOCAB(yj_voc_equipment, "equipment",
      {"heavy_ion", "重离子放射治疗系统"}, {"proton", "质子放射治疗系统"}, {"pet_mr", "正电子发射型磁共振成像系统（PET/MR）"},
      {"high_end_rt", "高端放射治疗类设备"}, {"pet_ct", "正电子发射及X射线计算机断层成像扫描仪（PET/CT）"},
      {"surgical_robot", "内窥镜手术器械控制系统（手术机器人）"}, {"ct", "X线计算机断层扫描仪（CT）"},
      {"mr", "磁共振成像设备（MR）"}, {"dsa", "数字减影血管造影X线机（DSA）"}, {"linac", "医用直线加速器"},
      {"gamma_knife", "伽玛射线立体定向放射治疗系统"});

VOCAB(yj_voc_institution_state, "institution_state", {"active", "正常执业"}, {"suspended", "暂停执业"},
      {"revoked", "吊销"}, {"closed", "注销"});

VOCAB(yj_voc_category, "category", {"physician", "医师"}, {"assistant_physician", "执业助理医师"},
      {"nurse", "护士"}, {"pharmacist", "药师"}, {"technician", "医技人员"});

VOCAB(yj_voc_practice_type, "practice_type", {"clinical", "临床"}, {"tcm", "中医"}, {"dental", "口腔"},
      {"public_health", "公共卫生"}, {"nursing", "护理"}, {"pharmacy", "药学"}, {"medical_tech", "医学技术"});

VOCAB(yj_voc_antibiotic_grade, "antibiotic_grade", {"none", "无"}, {"non_restricted", "非限制使用级"},
      {"restricted", "限制使用级"}, {"special", "特殊使用级"});

VOCAB(yj_voc_practitioner_state, "practitioner_state", {"active", "正常执业"}, {"suspended", "暂停执业"},
      {"revoked", "吊销执业证书"}, {"retired", "注销"});

VOCAB(yj_voc_assessment, "assessment", {"pass", "合格"}, {"fail", "不合格"}, {"pending", "待考核"});

/* The other kinds of subject (subject_kinds.c): each kind's category, and what they share. */
VOCAB(yj_voc_subject_state, "subject_state", {"active", "正常经营"}, {"suspended", "停业整顿"}, {"revoked", "吊销许可"},
      {"closed", "注销"});
VOCAB(yj_voc_public_place_cat, "public_place_category", {"hotel", "住宿场所"}, {"bathhouse", "沐浴场所"},
      {"swimming", "游泳场所"}, {"hairdresser", "美容美发场所"}, {"entertainment", "文化娱乐场所"},
      {"shopping", "商场（店）、书店"}, {"waiting_room", "候诊室、候车（机、船）室"}, {"other", "其他"});
VOCAB(yj_voc_water_supply_cat, "water_supply_category", {"urban", "城市集中式供水"}, {"rural", "农村集中式供水"},
      {"secondary", "二次供水"}, {"self_built", "自建设施供水"}, {"quality_water", "现制现售饮用水"});
VOCAB(yj_voc_school_cat, "school_category", {"kindergarten", "幼儿园"}, {"primary", "小学"}, {"junior", "初级中学"},
      {"senior", "高级中学"}, {"nine_year", "九年一贯制学校"}, {"vocational", "中等职业学校"},
      {"higher", "高等学校"}, {"special", "特殊教育学校"});
VOCAB(yj_voc_employer_cat, "employer_category", {"mining", "采矿业"}, {"manufacturing", "制造业"},
      {"chemical", "化工"}, {"metallurgy", "冶金"}, {"building_materials", "建材"}, {"construction", "建筑业"},
      {"other", "其他行业"});
VOCAB(yj_voc_hazard_factor, "hazard_factor", {"dust", "粉尘"}, {"chemical", "化学因素"}, {"physical", "物理因素"},
      {"radioactive", "放射性因素"}, {"biological", "生物因素"}, {"other", "其他因素"});
VOCAB(yj_voc_hazard_class, "hazard_class", {"general", "一般"}, {"serious", "较重"}, {"severe", "严重"});
VOCAB(yj_voc_occ_service_cat, "occ_service_category", {"detection", "职业病危害因素检测评价"},
      {"radiation", "放射卫生技术服务"}, {"both", "职业卫生与放射卫生技术服务"});
VOCAB(yj_voc_qualification_level, "qualification_level", {"A", "甲级"}, {"B", "乙级"}, {"C", "丙级"});
VOCAB(yj_voc_radiation_cat, "radiation_category", {"radiology", "X射线影像诊断"}, {"interventional", "介入放射学"},
      {"nuclear_medicine", "核医学"}, {"radiotherapy", "放射治疗"}, {"industrial", "工业放射"});
VOCAB(yj_voc_pharmacy_cat, "pharmacy_category", {"chain", "连锁药店"}, {"single", "单体药店"},
      {"chain_hq", "连锁总部"});
VOCAB(yj_voc_childcare_cat, "childcare_category", {"full_day", "全日托"}, {"half_day", "半日托"},
      {"hourly", "计时托"}, {"employer_run", "用人单位办托"}, {"community", "社区托育点"},
      {"kindergarten_class", "幼儿园托班"});
VOCAB(yj_voc_disinfectant_cat, "disinfectant_category", {"disinfectant", "消毒剂"},
      {"device", "消毒器械"}, {"sanitary", "卫生用品"}, {"mixed", "多类产品"});
VOCAB(yj_voc_unit_clinic_cat, "unit_clinic_category", {"infirmary", "医务室"}, {"health_room", "卫生室（所）"},
      {"clinic", "门诊部"}, {"school_clinic", "学校卫生室（保健室）"});
VOCAB(yj_voc_pharma_cat, "pharma_category", {"manufacturer", "药品生产企业"}, {"wholesaler", "药品批发企业"},
      {"device_maker", "医疗器械生产企业"}, {"device_dealer", "医疗器械经营企业"},
      {"supplier", "医用耗材供应企业"});

const yj_vocab *const yj_vocabs[] = {
	&yj_voc_institution_type, &yj_voc_level,      &yj_voc_grade,	       &yj_voc_ownership,
	&yj_voc_profit,		  &yj_voc_clinical_dept, &yj_voc_equipment,    &yj_voc_institution_state,
	&yj_voc_category,	  &yj_voc_practice_type, &yj_voc_antibiotic_grade, &yj_voc_practitioner_state,
	&yj_voc_assessment,
	&yj_voc_subject_state, &yj_voc_public_place_cat, &yj_voc_water_supply_cat, &yj_voc_school_cat,
	&yj_voc_employer_cat, &yj_voc_hazard_factor, &yj_voc_hazard_class, &yj_voc_occ_service_cat,
	&yj_voc_qualification_level, &yj_voc_radiation_cat, &yj_voc_pharmacy_cat, &yj_voc_childcare_cat,
	&yj_voc_disinfectant_cat, &yj_voc_unit_clinic_cat, &yj_voc_pharma_cat,
};
const size_t yj_nvocabs = sizeof yj_vocabs / sizeof yj_vocabs[0];

const yj_vocab_entry *yj_vocab_find(const yj_vocab *v, const char *s)
{
	for (size_t i = 0; s && i < v->n; i++)
		if (strcmp(v->v[i].code, s) == 0 || strcmp(v->v[i].label, s) == 0)
			return &v->v[i];
	return NULL;
}

const char *yj_vocab_label(const yj_vocab *v, const char *code)
{
	const yj_vocab_entry *e = yj_vocab_find(v, code);
	return e ? e->label : code;
}
