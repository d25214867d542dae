/* demo_names.c — the word lists that make the demo region read like 温州: surnames weighted by their
 * frequency in Wenzhou, given-name characters by sex, shop names, roads, village names, and the
 * counties' populations and rough bounding boxes (see docs/demo.md for sources and limits). */
#include "demo_int.h"

#include <stdio.h>
#include <string.h>

/* Wenzhou's commonest surnames; 陈 leads there, well ahead of 王 and 林. Weights are per mille,
 * rounded from public surname surveys of the city; the tail stands for the long rest. */
static const struct {
	const char *s;
	int w;
} surnames[] = {
	{"陈", 95}, {"王", 55}, {"林", 52}, {"李", 42}, {"张", 40}, {"黄", 38}, {"郑", 35}, {"吴", 30},
	{"周", 28}, {"徐", 26}, {"金", 25}, {"潘", 20}, {"朱", 20}, {"胡", 18}, {"叶", 18}, {"杨", 16},
	{"刘", 15}, {"蔡", 15}, {"谢", 13}, {"戴", 12}, {"池", 10}, {"薛", 10}, {"董", 10}, {"章", 10},
	{"郭", 10}, {"孙", 10}, {"卢", 9},  {"项", 8},  {"姜", 8},  {"许", 8},  {"余", 8},  {"何", 8},
	{"赵", 8},  {"杜", 7},  {"彭", 7},  {"缪", 6},  {"包", 6},  {"夏", 6},  {"苏", 6},  {"高", 6},
	{"方", 6},  {"沈", 6},  {"应", 5},  {"邵", 5},  {"陶", 5},  {"季", 5},  {"钱", 5},  {"曹", 5},
	{"施", 5},  {"柯", 4},  {"麻", 4},  {"程", 4},  {"翁", 4},  {"邱", 4},  {"谷", 3},  {"孔", 3},
	{"鲍", 3},  {"阮", 3},  {"尤", 3},  {"厉", 2},  {"留", 2},  {"毛", 4},  {"汪", 4},  {"詹", 3},
};

static const char *const male_chars[] = {
	"伟", "强", "磊", "军", "杰", "涛", "斌", "超", "明", "勇", "浩", "鹏", "俊", "峰", "建", "国",
	"华", "平", "志", "海", "林", "波", "辉", "宇", "晨", "博", "文", "成", "东", "刚", "飞", "健",
	"亮", "凯", "锋", "鑫", "翔", "毅", "昊", "坚", "诚", "忠", "洪", "德", "荣", "武", "铭", "正",
	"庆", "永", "胜", "振", "新", "中", "立", "达", "清", "良", "彬", "栋", "宁", "泽", "哲", "航",
};
static const char *const female_chars[] = {
	"芳", "娜", "敏", "静", "丽", "燕", "艳", "娟", "霞", "秀", "玲", "婷", "雪", "慧", "琳", "颖",
	"晶", "洁", "佳", "倩", "琴", "丹", "萍", "红", "梅", "莉", "蓉", "璐", "瑶", "怡", "欣", "悦",
	"露", "薇", "月", "莹", "青", "虹", "妍", "菲", "茜", "媛", "珊", "淑", "婉", "琪", "蕾", "雯",
};
/* First characters that go with either sex (晓, 文, 海 …). */
static const char *const shared_chars[] = {
	"晓", "文", "海", "春", "秋", "思", "子", "一", "雨", "佳", "建", "志", "亚", "小", "永", "丽",
	"学", "少", "晨", "天", "金", "玉", "益", "瑞",
};

static const char *const brands[] = {
	"康宁", "仁爱", "博爱", "和平", "东方", "华夏", "新华", "同仁", "济民", "惠民", "益康", "安康",
	"瑞康", "百草", "杏林", "仁和", "永康", "福康", "康乐", "康泰", "健民", "明珠", "瓯江", "江南",
	"东瓯", "南塘", "华康", "正和", "德仁", "仁心", "慈济", "大众", "民生", "博仁", "恒康", "启明",
	"晨光", "阳光", "红日", "春晖", "寿康", "长乐", "安泰", "和顺",
	"怡康", "普济", "广济", "天和", "同心", "协力", "源康", "景康", "嘉和", "鼎康", "瓯越", "鹿鸣",
};

static const char *const beauty_brands[] = {
	"佳美", "雅美", "悦美", "丽人", "伊美", "美瑜", "艺妍", "华颜", "韩雅", "臻美", "柏丽", "雅韵",
	"星颜", "玉颜", "薇琳", "缘美",
};

static const char *const roads[] = {
	"人民路", "解放路", "府前街", "学院路", "车站大道", "温州大道", "锦绣路", "新城大道", "环城东路",
	"建设路", "中山路", "文化路", "朝阳路", "平安路", "兴业路", "振兴路", "东风路", "府东路", "沿江路",
	"公园路", "广场路", "望江路", "胜利路", "安澜路", "滨海大道", "瓯江路", "江滨路", "万松路",
	"蒲州路", "飞霞路", "新河街", "塘河路", "龙腾路", "永强大道", "瓯海大道", "南浦路", "西山路",
	"百里路", "划龙桥路", "黄龙路", "仙岩路", "安阳路", "罗阳大道", "玉海街", "清江路", "双屿路",
};

static const char *const village_first[] = {
	"东", "西", "南", "北", "上", "下", "前", "后", "新", "大", "小", "石", "龙", "凤", "金", "桥",
	"岭", "溪", "山", "竹", "梅", "樟", "枫", "塘",
};
static const char *const village_second[] = {
	"垟", "岙", "头", "岭", "湾", "坑", "洋", "山", "坪", "桥", "溪", "塘", "岩", "坦", "浦", "垄",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *demo_surname(demo_rng *r)
{
	static int total;
	if (!total)
		for (size_t i = 0; i < N(surnames); i++)
			total += surnames[i].w;
	int x = demo_below(r, total);
	for (size_t i = 0; i < N(surnames); i++)
		if ((x -= surnames[i].w) < 0)
			return surnames[i].s;
	return surnames[0].s;
}

void demo_person_name(demo_rng *r, int male, char out[32])
{
	const char *sn = demo_surname(r);
	const char *const *set = male ? male_chars : female_chars;
	size_t n = male ? N(male_chars) : N(female_chars);
	if (demo_chance(r, 0.25)) {
		snprintf(out, 32, "%s%s", sn, set[demo_below(r, (int)n)]);
		return;
	}
	const char *first = demo_chance(r, 0.3) ? shared_chars[demo_below(r, (int)N(shared_chars))]
						: set[demo_below(r, (int)n)];
	int j = demo_below(r, (int)n);
	if (strcmp(first, set[j]) == 0) /* 伟伟 is a nickname, not a registered name */
		j = (j + 1) % (int)n;
	snprintf(out, 32, "%s%s%s", sn, first, set[j]);
}

const char *demo_brand(demo_rng *r)
{
	return brands[demo_below(r, (int)N(brands))];
}

const char *demo_beauty_brand(demo_rng *r)
{
	return beauty_brands[demo_below(r, (int)N(beauty_brands))];
}

const char *demo_road(demo_rng *r)
{
	return roads[demo_below(r, (int)N(roads))];
}

void demo_village(demo_rng *r, char out[32])
{
	snprintf(out, 32, "%s%s村", village_first[demo_below(r, (int)N(village_first))],
		 village_second[demo_below(r, (int)N(village_second))]);
}

void demo_numeral(int n, char out[16])
{
	static const char *const d[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
	if (n < 10)
		snprintf(out, 16, "%s", d[n]);
	else if (n < 20)
		snprintf(out, 16, "十%s", d[n % 10]);
	else
		snprintf(out, 16, "%s十%s", d[(n / 10) % 10], d[n % 10]);
}

/* Resident population (2020 census, 10,000s, rounded) and a rough box around each county's
 * settled area, in the GCJ-02 degrees maps in China use. The boxes are coarse on purpose: they
 * keep points inside the right county on a map of the city, no more. */
static const struct {
	const char *code;
	int pop, urban;
	double box[4];
} counties[] = {
	{"330302", 135, 1, {120.55, 120.70, 27.99, 28.06}}, /* 鹿城区 */
	{"330303", 78, 1, {120.72, 120.88, 27.88, 27.99}},  /* 龙湾区 */
	{"330304", 96, 1, {120.55, 120.70, 27.90, 27.99}},  /* 瓯海区 */
	{"330305", 11, 0, {121.08, 121.18, 27.82, 27.88}},  /* 洞头区 */
	{"330324", 87, 0, {120.50, 120.80, 28.15, 28.45}},  /* 永嘉县 */
	{"330326", 76, 0, {120.35, 120.60, 27.60, 27.72}},  /* 平阳县 */
	{"330327", 84, 0, {120.25, 120.55, 27.25, 27.45}},  /* 苍南县 */
	{"330328", 29, 0, {119.90, 120.15, 27.70, 27.88}},  /* 文成县 */
	{"330329", 27, 0, {119.75, 120.05, 27.45, 27.65}},  /* 泰顺县 */
	{"330381", 152, 0, {120.45, 120.68, 27.72, 27.85}}, /* 瑞安市 */
	{"330382", 145, 0, {120.90, 121.10, 28.08, 28.35}}, /* 乐清市 */
	{"330383", 47, 0, {120.53, 120.62, 27.51, 27.58}},  /* 龙港市 */
};

int demo_county_facts(const char *code, int *pop, int *urban, double box[4])
{
	for (size_t i = 0; i < N(counties); i++)
		if (strcmp(counties[i].code, code) == 0) {
			*pop = counties[i].pop;
			*urban = counties[i].urban;
			memcpy(box, counties[i].box, sizeof counties[i].box);
			return 1;
		}
	return 0;
}

int64_t demo_days(const char *ymd)
{
	int64_t d = 0;
	yj_day_parse(ymd, &d);
	return d;
}
