// bench/baseline-go — the second baseline of `make bench` (docs/benchmarks.md): yijian's /healthz and
// GET /api/v1/regions written the way a performance-minded team would, Go's net/http with pgx v4 and its
// pool (statements prepared per connection), against the same PostgreSQL database, with the same SQL as
// bench/baseline/server.mjs (verbatim from yijian) and byte-identical bodies for the requests bench/run checks.
// Built offline from Debian's packages: GOPATH=/usr/share/gocode GO111MODULE=off go build.
// Usage: baseline-go --db postgresql://… --listen 127.0.0.1:PORT   (BASELINE_POOL, YJ_ENGINE, YJ_VERSION)
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
)

const healthSQL = "SELECT COUNT(*) FROM schema_migrations"
const sessionSQL = "SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.region_code, r.name, u.department, " +
	"d.remit, u.disabled, s.id, s.csrf_token" +
	" FROM users u JOIN regions r ON r.code = u.region_code JOIN departments d ON d.code = u.department" +
	" JOIN sessions s ON s.user_id = u.id" +
	" WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0 AND s.password_version = u.password_version"
const cols = "code, name, level, parent_code, (SELECT COUNT(*) FROM regions c WHERE c.parent_code = regions.code)"

var pool *pgxpool.Pool
var engine, version string
var roles = map[string]bool{"admin": true, "inspector": true, "legal_reviewer": true, "leader": true, "liaison": true,
	"insurance_analyst": true, "institution": true, "grid_member": true}
var digits = regexp.MustCompile(`^[0-9]+$`)

func send(w http.ResponseWriter, status int, ctype string, body interface{}) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
	out := bytes.TrimRight(b.Bytes(), "\n")
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(out)
}

type fieldErr struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}
type problemBody struct {
	Type     string     `json:"type"`
	Title    string     `json:"title"`
	Status   int        `json:"status"`
	Detail   string     `json:"detail"`
	Instance string     `json:"instance"`
	Errors   []fieldErr `json:"errors,omitempty"`
}

func problem(w http.ResponseWriter, r *http.Request, status int, slug, title, detail string, errs ...fieldErr) {
	send(w, status, "application/problem+json; charset=utf-8",
		problemBody{"urn:yijian:problem:" + slug, title, status, detail, r.URL.Path, errs})
}

type health struct {
	Status        string `json:"status"`
	Engine        string `json:"engine"`
	SchemaVersion int64  `json:"schema_version"`
	Version       string `json:"version"`
}

func healthz(w http.ResponseWriter, r *http.Request) {
	var n int64
	if err := pool.QueryRow(r.Context(), healthSQL).Scan(&n); err != nil {
		send(w, 503, "application/json; charset=utf-8", map[string]string{"status": "unavailable", "engine": engine})
		return
	}
	send(w, 200, "application/json; charset=utf-8", health{"ok", engine, n, version})
}

// yj_region_prefix (scope.c): strip trailing "00" pairs of a 6-digit code, never below 2 digits.
func regionPrefix(code string) string {
	s := code
	if len(s) >= 16 {
		s = s[:15]
	}
	if len(s) == 6 {
		for len(s) > 2 && strings.HasSuffix(s, "00") {
			s = s[:len(s)-2]
		}
	}
	return s
}

type item struct {
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	Level         int64   `json:"level"`
	ParentCode    *string `json:"parent_code"`
	ChildrenCount int64   `json:"children_count"`
}
type page struct {
	Items      []item  `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// yj_page_params: ?limit, 1–200 (20 when absent); false after answering 400.
func limitOr(w http.ResponseWriter, r *http.Request, q url.Values) (int, bool) {
	v, ok := q["limit"]
	if !ok {
		return 20, true
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > 200 {
		problem(w, r, 400, "validation", "参数错误", "limit 必须是 1 到 200 之间的整数。", fieldErr{"limit", "应为 1–200 的整数"})
		return 0, false
	}
	return n, true
}

// The territory of query.c: col in [prefix, the next prefix), its bounds bound through arg.
func rangeSQL(col, prefix string, arg func(interface{}) string) string {
	sql := col + " >= " + arg(prefix)
	if hi := strings.TrimRight(prefix, "9"); hi != "" {
		hi = hi[:len(hi)-1] + string(hi[len(hi)-1]+1)
		sql += " AND " + col + " < " + arg(hi)
	}
	return sql
}

func validCode(s string) bool {
	return (len(s) == 6 || len(s) == 9 || len(s) == 12) && digits.MatchString(s)
}

const storeDetail = "保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。"

func regions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var role, region string
	c, err := r.Cookie("yj_session")
	if err == nil && c.Value != "" {
		sum := sha256.Sum256([]byte(c.Value))
		var id, sid int64
		var username, display, hash, dept, remit, rname, csrf string
		var disabled int64
		err = pool.QueryRow(ctx, sessionSQL, hex.EncodeToString(sum[:]), time.Now().UnixMilli()).Scan(&id, &username,
			&display, &hash, &role, &region, &rname, &dept, &remit, &disabled, &sid, &csrf)
		if err != nil && err.Error() != "no rows in result set" {
			problem(w, r, 500, "store", "数据存储错误", storeDetail)
			return
		}
	}
	if region == "" {
		problem(w, r, 401, "unauthenticated", "未登录", "请先登录，或登录已过期，请重新登录。")
		return
	}
	if !roles[role] {
		problem(w, r, 403, "forbidden", "无权操作", "您的角色无权执行此操作，如需权限请联系系统管理员。")
		return
	}
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "parent", "q", "level", "limit", "cursor":
		default:
			problem(w, r, 400, "validation", "查询参数有误", "请按提示修正查询参数后重试。", fieldErr{k, "不支持的查询参数"})
			return
		}
	}
	limit, ok := limitOr(w, r, q)
	if !ok {
		return
	}
	var cursor *string
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) == 0 || len(b) > 200 {
			problem(w, r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。", fieldErr{"cursor", "无效的翻页游标"})
			return
		}
		s := string(b)
		cursor = &s
	}
	binds := []interface{}{}
	arg := func(v interface{}) string { binds = append(binds, v); return "$" + strconv.Itoa(len(binds)) }
	where := "1=1 AND " + rangeSQL("code", regionPrefix(region), arg)
	if v, ok := q["parent"]; ok {
		if !validCode(v[0]) {
			problem(w, r, 400, "validation", "参数错误", "parent 应为 6 位或 9 位行政区划代码。", fieldErr{"parent", "无效的行政区划代码"})
			return
		}
		where += " AND (parent_code = " + arg(v[0]) + ")"
	}
	if v := q.Get("q"); v != "" {
		where += " AND (name LIKE " + arg("%"+v+"%") + ")"
	}
	if v, ok := q["level"]; ok {
		if len(v[0]) != 1 || v[0][0] < '1' || v[0][0] > '4' {
			problem(w, r, 400, "validation", "参数错误", "level 应为 1 到 4。", fieldErr{"level", "应为 1–4"})
			return
		}
		where += " AND (level = " + arg(int64(v[0][0]-'0')) + ")"
	}
	if cursor != nil {
		where += " AND (code > " + arg(*cursor) + ")"
	}
	sql := "SELECT " + cols + " FROM regions WHERE " + where + " ORDER BY code LIMIT " + arg(int64(limit+1))
	rows, err := pool.Query(ctx, sql, binds...)
	if err != nil {
		problem(w, r, 500, "store", "数据存储错误", storeDetail)
		return
	}
	defer rows.Close()
	p := page{Items: []item{}}
	n := 0
	for rows.Next() {
		n++
		if n > limit {
			s := base64.RawURLEncoding.EncodeToString([]byte(p.Items[len(p.Items)-1].Code))
			p.NextCursor = &s
			break
		}
		var it item
		if err := rows.Scan(&it.Code, &it.Name, &it.Level, &it.ParentCode, &it.ChildrenCount); err != nil {
			problem(w, r, 500, "store", "数据存储错误", storeDetail)
			return
		}
		p.Items = append(p.Items, it)
	}
	if rows.Err() != nil {
		problem(w, r, 500, "store", "数据存储错误", storeDetail)
		return
	}
	send(w, 200, "application/json; charset=utf-8", p)
}

// GET /api/v1/institutions (issue 15: institution search by name): record_api.c's list over institution.c's
// fields with the same SQL as yijian and bench/baseline/server.mjs; only q, limit and cursor are ported (another
// filter answers 501; the bench never sends one).
const instCols = "id, version, created_at, updated_at, credit_code, credit_code_override, licence_no, name, type, level, grade, ownership, " +
	"profit, clinical_depts, beds, equipment, region_code, address, lng_e6, lat_e6, licence_valid_from, licence_valid_to, " +
	"verified_on, verify_due, insurance_designated, state, grid_id"

type institution struct {
	ID                  string   `json:"id"`
	Version             int64    `json:"version"`
	CreatedAt           int64    `json:"created_at"`
	UpdatedAt           int64    `json:"updated_at"`
	CreditCode          string   `json:"credit_code"`
	CreditCodeOverride  *string  `json:"credit_code_override"`
	LicenceNo           *string  `json:"licence_no"`
	Name                string   `json:"name"`
	Type                string   `json:"type"`
	Level               string   `json:"level"`
	Grade               string   `json:"grade"`
	Ownership           string   `json:"ownership"`
	Profit              string   `json:"profit"`
	ClinicalDepts       []string `json:"clinical_depts"`
	Beds                int64    `json:"beds"`
	Equipment           []string `json:"equipment"`
	RegionCode          string   `json:"region_code"`
	Address             *string  `json:"address"`
	Lng                 *float64 `json:"lng"`
	Lat                 *float64 `json:"lat"`
	LicenceValidFrom    *string  `json:"licence_valid_from"`
	LicenceValidTo      *string  `json:"licence_valid_to"`
	VerifiedOn          *string  `json:"verified_on"`
	VerifyDue           *string  `json:"verify_due"`
	InsuranceDesignated bool     `json:"insurance_designated"`
	State               string   `json:"state"`
	GridID              *string  `json:"grid_id"`
}
type instPage struct {
	Items      []institution `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// The session's role and region ("" when not signed in); false after answering a store error.
func principal(w http.ResponseWriter, r *http.Request) (string, string, bool) {
	var role, region string
	c, err := r.Cookie("yj_session")
	if err == nil && c.Value != "" {
		sum := sha256.Sum256([]byte(c.Value))
		var id, sid int64
		var username, display, hash, dept, remit, rname, csrf string
		var disabled int64
		err = pool.QueryRow(r.Context(), sessionSQL, hex.EncodeToString(sum[:]), time.Now().UnixMilli()).Scan(&id, &username,
			&display, &hash, &role, &region, &rname, &dept, &remit, &disabled, &sid, &csrf)
		if err != nil && err.Error() != "no rows in result set" {
			problem(w, r, 500, "store", "数据存储错误", storeDetail)
			return "", "", false
		}
	}
	return role, region, true
}

func codeList(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

var likeEscape = strings.NewReplacer("%", "\\%", "_", "\\_", "\\", "\\\\")

func institutions(w http.ResponseWriter, r *http.Request) {
	role, region, ok := principal(w, r)
	if !ok {
		return
	}
	if region == "" || !roles[role] {
		problem(w, r, 401, "unauthenticated", "未登录", "请先登录，或登录已过期，请重新登录。")
		return
	}
	q := r.URL.Query()
	for k, v := range q {
		if k != "q" && k != "limit" && k != "cursor" && v[0] != "" {
			problem(w, r, 501, "not-implemented", "未实现", "the baseline ports only q, limit and cursor")
			return
		}
	}
	limit, ok := limitOr(w, r, q)
	if !ok {
		return
	}
	after := int64(0)
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || n <= 0 {
			problem(w, r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。")
			return
		}
		after = n
	}
	binds := []interface{}{}
	arg := func(v interface{}) string { binds = append(binds, v); return "$" + strconv.Itoa(len(binds)) }
	where := "1=1 AND " + rangeSQL("region_code", regionPrefix(region), arg)
	if text := q.Get("q"); text != "" {
		cp := []rune(text)
		if len(cp) > 50 {
			problem(w, r, 400, "validation", "查询条件有误", "请按提示修改查询条件后重试。", fieldErr{"q", "取值无效"})
			return
		}
		// record_names.c word_grams: the first and (longer than two characters) the last bigram as
		// numbers, 1 << 42 (institutions) | first code point << 21 | second; one character X: the range of
		// every gram that starts with X.
		n := len(cp)
		gram := func(a, b rune) int64 { return 1<<42 | int64(a)<<21 | int64(b) }
		subs := []string{}
		if n == 1 {
			subs = append(subs, "id IN (SELECT object_id FROM name_grams WHERE gram BETWEEN "+arg(gram(cp[0], 0))+
				" AND "+arg(gram(cp[0], 1<<21-1))+")")
		} else {
			grams := []int64{gram(cp[0], cp[1])}
			if n > 2 {
				grams = append(grams, gram(cp[n-2], cp[n-1]))
			}
			for _, g := range grams {
				subs = append(subs, "id IN (SELECT object_id FROM name_grams WHERE gram = "+arg(g)+")")
			}
		}
		where += " AND (" + strings.Join(subs, " AND ") + ")"
		where += " AND (name LIKE " + arg("%"+likeEscape.Replace(text)+"%") + " ESCAPE '\\')"
	}
	where += " AND (id > " + arg(after) + ")"
	sql := "SELECT " + instCols + " FROM institutions WHERE " + where + " ORDER BY id LIMIT " + arg(int64(limit+1))
	rows, err := pool.Query(r.Context(), sql, binds...)
	if err != nil {
		problem(w, r, 500, "store", "数据存储错误", storeDetail)
		return
	}
	defer rows.Close()
	p := instPage{Items: []institution{}}
	n := 0
	for rows.Next() {
		n++
		if n > limit {
			s := base64.RawURLEncoding.EncodeToString([]byte(p.Items[len(p.Items)-1].ID))
			p.NextCursor = &s
			break
		}
		var it institution
		var id, beds, ins int64
		var depts, equip string
		var lng, lat, grid *int64
		if err := rows.Scan(&id, &it.Version, &it.CreatedAt, &it.UpdatedAt, &it.CreditCode, &it.CreditCodeOverride, &it.LicenceNo,
			&it.Name, &it.Type, &it.Level, &it.Grade, &it.Ownership, &it.Profit, &depts, &beds, &equip, &it.RegionCode, &it.Address,
			&lng, &lat, &it.LicenceValidFrom, &it.LicenceValidTo, &it.VerifiedOn, &it.VerifyDue, &ins, &it.State, &grid); err != nil {
			problem(w, r, 500, "store", "数据存储错误", storeDetail)
			return
		}
		it.ID = strconv.FormatInt(id, 10)
		it.Beds = beds
		it.ClinicalDepts, it.Equipment = codeList(depts), codeList(equip)
		if lng != nil {
			v := float64(*lng) / 1e6
			it.Lng = &v
		}
		if lat != nil {
			v := float64(*lat) / 1e6
			it.Lat = &v
		}
		it.InsuranceDesignated = ins != 0
		if grid != nil {
			s := strconv.FormatInt(*grid, 10)
			it.GridID = &s
		}
		p.Items = append(p.Items, it)
	}
	if rows.Err() != nil {
		problem(w, r, 500, "store", "数据存储错误", storeDetail)
		return
	}
	send(w, 200, "application/json; charset=utf-8", p)
}

func main() {
	db := flag.String("db", os.Getenv("DATABASE_URL"), "postgresql://…")
	listen := flag.String("listen", "127.0.0.1:8091", "HOST:PORT")
	flag.Parse()
	engine, version = os.Getenv("YJ_ENGINE"), os.Getenv("YJ_VERSION")
	if engine == "" {
		engine = "postgresql"
	}
	cfg, err := pgxpool.ParseConfig(*db)
	if err != nil {
		log.Fatal(err)
	}
	size, _ := strconv.Atoi(os.Getenv("BASELINE_POOL"))
	if size < 1 {
		size = 16
	}
	cfg.MaxConns = int32(size)
	pool, err = pgxpool.ConnectConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", healthz)
	mux.HandleFunc("/api/v1/regions", regions)
	mux.HandleFunc("/api/v1/institutions", institutions)
	fmt.Fprintf(os.Stderr, "baseline-go listening on http://%s/ (pool %d)\n", *listen, size)
	log.Fatal(http.ListenAndServe(*listen, mux))
}
