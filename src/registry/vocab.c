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

const yj_vocab *const yj_vocabs[] = {
	&yj_voc_institution_type, &yj_voc_level,      &yj_voc_grade,	       &yj_voc_ownership,
	&yj_voc_profit,		  &yj_voc_clinical_dept, &yj_voc_equipment,    &yj_voc_institution_state,
	&yj_voc_category,	  &yj_voc_practice_type, &yj_voc_antibiotic_grade, &yj_voc_practitioner_state,
	&yj_voc_assessment,
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
