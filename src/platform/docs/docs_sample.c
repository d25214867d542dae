/* docs_sample.c — a sample 行政处罚决定书 in the document model, so the command line, the tests and the
 * bench render the same realistic document (every block type, a fields block and a long body). */
#include "docs.h"

#include <stdio.h>

json_t *yj_doc_sample(int paragraphs)
{
	json_t *blocks = json_array();
	json_array_append_new(blocks, json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "type", "fields",
						"rows", "label", "当事人", "value", "温州市鹿城区某某口腔诊所", "label",
						"统一社会信用代码", "value", "92330302MA2XXXXX1K", "label", "地址",
						"value", "浙江省温州市鹿城区五马街道解放街 88 号", "label",
						"法定代表人", "value", "张某某"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text",
						"本机关于2026年10月12日对你单位进行现场检查，发现你单位存在使用非卫生技术人员从事医疗卫生技术工作的行为。"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "heading", "text", "一、违法事实和证据"));
	if (paragraphs < 1)
		paragraphs = 1;
	for (int i = 0; i < paragraphs; i++) {
		char text[1024];
		snprintf(text, sizeof text,
			 "%d. 经查，2026年9月1日至2026年10月12日期间，你单位安排未取得医师资格的人员李某某在诊疗室从事口腔诊疗活动，"
			 "累计接诊患者三十余人次。上述事实有现场检查笔录、询问笔录、门诊日志、收费票据等证据证实。",
			 i + 1);
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text", text));
	}
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "heading", "text", "二、处罚依据和处罚决定"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text",
						"你单位的上述行为违反了《医疗机构管理条例》第二十七条的规定。依据《医疗机构管理条例》第四十七条和《浙江省卫生健康行政处罚裁量基准》的规定，"
						"本机关决定对你单位给予如下行政处罚：1. 警告；2. 罚款人民币伍仟元整（¥5,000.00）。"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text",
						"请在接到本处罚决定书之日起十五日内将罚款缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text",
						"如不服本处罚决定，可以在接到本处罚决定书之日起六十日内向温州市鹿城区人民政府申请行政复议，或者在六个月内向温州市鹿城区人民法院提起行政诉讼。"));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ",
						"温州市鹿城区卫生健康局", "date", "2026-12-06", "seal", 1));
	json_array_append_new(blocks, json_pack("{s:s}", "type", "qr"));
	return json_pack("{s:s, s:s, s:o}", "organ", "温州市鹿城区卫生健康局", "title", "行政处罚决定书", "blocks", blocks);
}
