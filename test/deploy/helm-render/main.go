// helm-render: renders a Helm chart like `helm template`, for machines without helm, and checks
// the manifests. Go's text/template with sprig (the function library Helm uses) plus Helm's own
// functions (include, tpl, required, toYaml, toJson, fromYaml, lookup); values.yaml merged with
// --set overrides; .Release, .Chart, .Files, .Capabilities, .Template as Helm gives them. A value
// a template reads but the values do not define is an error here (helm's --strict), not "".
//
// Usage: helm-render [--release NAME] [--namespace NS] [--set path=value]... [--check] CHART_DIR
// Prints the manifests (with "# Source:" lines) to stdout; exits 1 on a template error (its
// message on stderr, e.g. a `fail` or `required`), 2 when --check finds a broken manifest.
//
// Built by tools/test-deploy.sh with Debian's golang and sprig packages (GOPATH mode, offline).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"gopkg.in/yaml.v2"
)

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	release := flag.String("release", "release", "release name")
	namespace := flag.String("namespace", "default", "namespace")
	check := flag.Bool("check", false, "check the rendered manifests")
	var sets setFlags
	flag.Var(&sets, "set", "path=value override (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [--release NAME] [--set path=value]... [--check] CHART_DIR")
		os.Exit(64)
	}
	chartDir := flag.Arg(0)

	out, manifests, err := render(chartDir, *release, *namespace, sets)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helm-render: %v\n", err)
		os.Exit(1)
	}
	fmt.Print(out)
	if *check {
		if problems := checkManifests(manifests); len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintf(os.Stderr, "helm-render: check: %s\n", p)
			}
			os.Exit(2)
		}
	}
}

// ---- values ---------------------------------------------------------------------------------

// normalize turns yaml.v2's maps into map[string]interface{} and numbers into float64, as Helm's
// YAML-through-JSON parsing does.
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, val := range t {
			m[fmt.Sprint(k)] = normalize(val)
		}
		return m
	case map[string]interface{}:
		for k, val := range t {
			t[k] = normalize(val)
		}
		return t
	case []interface{}:
		for i, val := range t {
			t[i] = normalize(val)
		}
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	default:
		return v
	}
}

func readYAML(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := normalize(raw).(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: not a map", path)
	}
	return m, nil
}

// setValue applies one --set a.b.c=value (true/false/null/numbers typed as helm --set does).
func setValue(values map[string]interface{}, assignment string) error {
	eq := strings.Index(assignment, "=")
	if eq < 1 {
		return fmt.Errorf("--set %q: expected path=value", assignment)
	}
	keys := strings.Split(assignment[:eq], ".")
	raw := assignment[eq+1:]
	var value interface{} = raw
	switch {
	case raw == "true":
		value = true
	case raw == "false":
		value = false
	case raw == "null":
		value = nil
	default:
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			value = float64(n)
		}
	}
	node := values
	for _, k := range keys[:len(keys)-1] {
		next, ok := node[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			node[k] = next
		}
		node = next
	}
	node[keys[len(keys)-1]] = value
	return nil
}

// ---- rendering ------------------------------------------------------------------------------

type files struct{ dir string }

func (f files) Get(name string) string {
	data, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		return ""
	}
	return string(data)
}

func toYAML(v interface{}) string {
	// Through JSON first, as Helm does (sigs.k8s.io/yaml): map keys sorted, numbers plain.
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return ""
	}
	out, err := yaml.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

type manifest struct {
	source string
	doc    map[string]interface{}
}

func render(chartDir, release, namespace string, sets []string) (string, []manifest, error) {
	chartMeta, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", nil, err
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", nil, err
	}
	for _, s := range sets {
		if err := setValue(values, s); err != nil {
			return "", nil, err
		}
	}
	chartName := fmt.Sprint(chartMeta["name"])

	var paths []string
	err = filepath.Walk(filepath.Join(chartDir, "templates"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	sort.Strings(paths)

	root := template.New("chart").Option("missingkey=error")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["toJson"] = func(v interface{}) string { data, _ := json.Marshal(v); return string(data) }
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		var raw interface{}
		_ = yaml.Unmarshal([]byte(s), &raw)
		m, _ := normalize(raw).(map[string]interface{})
		return m
	}
	funcs["lookup"] = func(...interface{}) map[string]interface{} { return map[string]interface{}{} }
	root.Funcs(funcs)

	rel := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", nil, err
		}
		r, _ := filepath.Rel(chartDir, p)
		name := filepath.ToSlash(filepath.Join(chartName, r))
		rel[p] = name
		if _, err := root.New(name).Parse(string(data)); err != nil {
			return "", nil, err
		}
	}

	var out strings.Builder
	var manifests []manifest
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.HasPrefix(base, "_") {
			continue
		}
		name := rel[p]
		data := map[string]interface{}{
			"Values": values,
			"Release": map[string]interface{}{
				"Name": release, "Namespace": namespace, "Service": "Helm",
				"IsInstall": true, "IsUpgrade": false, "Revision": 1,
			},
			"Chart": map[string]interface{}{
				"Name": chartName, "Version": chartMeta["version"], "AppVersion": chartMeta["appVersion"],
			},
			"Files":        files{dir: chartDir},
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0"}},
			"Template":     map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", nil, err
		}
		if strings.HasSuffix(base, ".txt") {
			continue // NOTES.txt: helm prints it after install; it must render, it is no manifest
		}
		for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(buf.String(), -1) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			var raw interface{}
			if err := yaml.Unmarshal([]byte(part), &raw); err != nil {
				return "", nil, fmt.Errorf("%s: rendered YAML does not parse: %v\n%s", name, err, part)
			}
			doc, _ := normalize(raw).(map[string]interface{})
			if doc == nil {
				continue // only comments
			}
			manifests = append(manifests, manifest{source: name, doc: doc})
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimSpace(part))
		}
	}
	return out.String(), manifests, nil
}

// ---- checks ---------------------------------------------------------------------------------

func get(v interface{}, path ...string) interface{} {
	for _, k := range path {
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v interface{}, path ...string) string {
	if s, ok := get(v, path...).(string); ok {
		return s
	}
	return ""
}

func labels(v interface{}, path ...string) map[string]string {
	out := map[string]string{}
	if m, ok := get(v, path...).(map[string]interface{}); ok {
		for k, val := range m {
			out[k] = fmt.Sprint(val)
		}
	}
	return out
}

func subset(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

func list(v interface{}, path ...string) []interface{} {
	l, _ := get(v, path...).([]interface{})
	return l
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

// checkManifests: what the API server or a controller would refuse, or silently get wrong.
func checkManifests(ms []manifest) []string {
	var problems []string
	add := func(m manifest, format string, args ...interface{}) {
		problems = append(problems, fmt.Sprintf("%s (%s %s): %s", m.source, str(m.doc, "kind"),
			str(m.doc, "metadata", "name"), fmt.Sprintf(format, args...)))
	}
	podLabels := map[string]map[string]string{} // workload name -> pod labels
	deployments := map[string]bool{}
	for _, m := range ms {
		if str(m.doc, "apiVersion") == "" || str(m.doc, "kind") == "" {
			add(m, "no apiVersion or kind")
		}
		name := str(m.doc, "metadata", "name")
		if !dnsLabel.MatchString(name) || len(name) > 63 {
			add(m, "metadata.name %q is not a valid name", name)
		}
		for k, v := range labels(m.doc, "metadata", "labels") {
			if len(v) > 63 {
				add(m, "label %s is longer than 63 characters", k)
			}
		}
		var podSpec interface{}
		switch str(m.doc, "kind") {
		case "Deployment", "StatefulSet":
			selector := labels(m.doc, "spec", "selector", "matchLabels")
			pod := labels(m.doc, "spec", "template", "metadata", "labels")
			if !subset(selector, pod) {
				add(m, "selector %v does not match the pod labels %v", selector, pod)
			}
			podLabels[name] = pod
			if str(m.doc, "kind") == "Deployment" {
				deployments[name] = true
			}
			if str(m.doc, "kind") == "StatefulSet" && str(m.doc, "spec", "serviceName") == "" {
				add(m, "no serviceName")
			}
			podSpec = get(m.doc, "spec", "template", "spec")
		case "Pod":
			podSpec = get(m.doc, "spec")
		}
		if podSpec != nil {
			problems = append(problems, checkPodSpec(m, podSpec, add)...)
		}
	}
	for _, m := range ms {
		kind := str(m.doc, "kind")
		var selector map[string]string
		switch kind {
		case "Service":
			selector = labels(m.doc, "spec", "selector")
		case "PodDisruptionBudget":
			selector = labels(m.doc, "spec", "selector", "matchLabels")
		case "HorizontalPodAutoscaler":
			target := str(m.doc, "spec", "scaleTargetRef", "name")
			if str(m.doc, "spec", "scaleTargetRef", "kind") != "Deployment" || !deployments[target] {
				add(m, "scaleTargetRef names no Deployment of the chart (%q)", target)
			}
			continue
		default:
			continue
		}
		matches := 0
		for _, pod := range podLabels {
			if subset(selector, pod) {
				matches++
			}
		}
		if matches != 1 {
			add(m, "selector %v matches %d workloads of the chart, expected 1", selector, matches)
		}
	}
	return problems
}

func checkPodSpec(m manifest, spec interface{}, add func(manifest, string, ...interface{})) []string {
	volumes := map[string]bool{}
	for _, v := range list(spec, "volumes") {
		volumes[str(v, "name")] = true
	}
	if m.doc["kind"] == "StatefulSet" {
		for _, c := range list(m.doc, "spec", "volumeClaimTemplates") {
			volumes[str(c, "metadata", "name")] = true
		}
	}
	for _, c := range list(spec, "containers") {
		if str(c, "image") == "" {
			add(m, "container %s has no image", str(c, "name"))
		}
		ports := map[string]bool{}
		for _, p := range list(c, "ports") {
			ports[str(p, "name")] = true
		}
		for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
			for _, kind := range []string{"httpGet", "tcpSocket"} {
				if port, ok := get(c, probe, kind, "port").(string); ok && !ports[port] {
					add(m, "%s of %s uses port %q, which the container does not name", probe, str(c, "name"), port)
				}
			}
		}
		for _, mount := range list(c, "volumeMounts") {
			if !volumes[str(mount, "name")] {
				add(m, "volumeMount %q of %s has no volume", str(mount, "name"), str(c, "name"))
			}
		}
		for _, e := range list(c, "env") {
			_, hasValue := get(e, "value").(string)
			if !hasValue && get(e, "valueFrom") == nil {
				add(m, "env %s of %s has no string value", str(e, "name"), str(c, "name"))
			}
		}
	}
	return nil
}
