// Command psacheck evaluates Pod Security Standards "restricted" (latest
// version) on every object with a pod template in multi-document YAML, such as
// `helm template` output, using k8s.io/pod-security-admission/policy: the same
// checks the API server's PodSecurity admission runs.
//
//	psacheck [FILE|-]
//
// Prints one line per violation, "Kind/name: check: reason (detail)", and
// exits 1 when there is any violation, 0 when there is none, 2 when the input
// cannot be read or decoded.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// podSpecOf mirrors admission.DefaultPodSpecExtractor for decoded JSON.
// ok is false for kinds without a pod spec.
func podSpecOf(kind string, raw []byte) (meta *metav1.ObjectMeta, spec *corev1.PodSpec, ok bool, err error) {
	decode := func(v any) error { return json.Unmarshal(raw, v) }
	switch kind {
	case "Pod":
		var o corev1.Pod
		err = decode(&o)
		return &o.ObjectMeta, &o.Spec, true, err
	case "PodTemplate":
		var o corev1.PodTemplate
		err = decode(&o)
		return &o.Template.ObjectMeta, &o.Template.Spec, true, err
	case "ReplicationController":
		var o corev1.ReplicationController
		err = decode(&o)
		if o.Spec.Template == nil {
			return nil, nil, false, err
		}
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		err = decode(&o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "Deployment":
		var o appsv1.Deployment
		err = decode(&o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "DaemonSet":
		var o appsv1.DaemonSet
		err = decode(&o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "StatefulSet":
		var o appsv1.StatefulSet
		err = decode(&o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "Job":
		var o batchv1.Job
		err = decode(&o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "CronJob":
		var o batchv1.CronJob
		err = decode(&o)
		return &o.Spec.JobTemplate.Spec.Template.ObjectMeta, &o.Spec.JobTemplate.Spec.Template.Spec, true, err
	}
	return nil, nil, false, nil
}

// checker evaluates each check on its own (to name it), skipping baseline
// checks that a restricted check overrides, exactly as the registry does.
type checker struct {
	evaluator policy.Evaluator
	single    []namedEvaluator
	level     psaapi.LevelVersion
}

type namedEvaluator struct {
	id        policy.CheckID
	evaluator policy.Evaluator
}

func newChecker() (*checker, error) {
	checks := policy.DefaultChecks()
	full, err := policy.NewEvaluator(checks, nil)
	if err != nil {
		return nil, err
	}
	overridden := map[policy.CheckID]bool{}
	for _, c := range checks {
		if c.Level == psaapi.LevelRestricted && len(c.Versions) > 0 {
			for _, id := range c.Versions[len(c.Versions)-1].OverrideCheckIDs {
				overridden[id] = true
			}
		}
	}
	ch := &checker{
		evaluator: full,
		level:     psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()},
	}
	for _, c := range checks {
		if overridden[c.ID] {
			continue
		}
		e, err := policy.NewEvaluator([]policy.Check{c}, nil)
		if err != nil {
			return nil, err
		}
		ch.single = append(ch.single, namedEvaluator{c.ID, e})
	}
	return ch, nil
}

// violations returns "check: reason (detail)" strings for one pod.
func (ch *checker) violations(meta *metav1.ObjectMeta, spec *corev1.PodSpec) []string {
	var out []string
	for _, ne := range ch.single {
		for _, r := range ne.evaluator.EvaluatePod(ch.level, meta, spec) {
			if r.Allowed {
				continue
			}
			msg := fmt.Sprintf("%s: %s", ne.id, r.ForbiddenReason)
			if r.ForbiddenDetail != "" {
				msg += " (" + r.ForbiddenDetail + ")"
			}
			out = append(out, msg)
		}
	}
	// Cross-check with the registry the API server uses, so naming checks
	// one by one can never hide a violation.
	agg := policy.AggregateCheckResults(ch.evaluator.EvaluatePod(ch.level, meta, spec))
	if !agg.Allowed && len(agg.ForbiddenReasons) != len(out) {
		out = append(out, "policy: "+agg.ForbiddenReason()+" ("+agg.ForbiddenDetail()+")")
	}
	return out
}

func main() {
	os.Exit(run())
}

func run() int {
	var in io.Reader = os.Stdin
	switch {
	case len(os.Args) > 2:
		fmt.Fprintln(os.Stderr, "usage: psacheck [FILE|-]")
		return 2
	case len(os.Args) == 2 && os.Args[1] != "-":
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "psacheck:", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psacheck:", err)
		return 2
	}
	ch, err := newChecker()
	if err != nil {
		fmt.Fprintln(os.Stderr, "psacheck:", err)
		return 2
	}

	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var lines []string
	pods := 0
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			fmt.Fprintf(os.Stderr, "psacheck: document %d: %v\n", doc, err)
			return 2
		}
		if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var tm typeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			fmt.Fprintf(os.Stderr, "psacheck: document %d: %v\n", doc, err)
			return 2
		}
		items := []json.RawMessage{raw}
		if tm.Kind == "List" || (len(tm.Kind) > 4 && tm.Kind[len(tm.Kind)-4:] == "List") {
			var list struct {
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal(raw, &list); err != nil {
				fmt.Fprintf(os.Stderr, "psacheck: document %d: %v\n", doc, err)
				return 2
			}
			items = list.Items
		}
		for _, item := range items {
			var m typeMeta
			if err := json.Unmarshal(item, &m); err != nil {
				fmt.Fprintf(os.Stderr, "psacheck: document %d: %v\n", doc, err)
				return 2
			}
			meta, spec, ok, err := podSpecOf(m.Kind, item)
			if err != nil {
				fmt.Fprintf(os.Stderr, "psacheck: %s/%s: %v\n", m.Kind, m.Metadata.Name, err)
				return 2
			}
			if !ok {
				continue
			}
			pods++
			for _, v := range ch.violations(meta, spec) {
				lines = append(lines, fmt.Sprintf("%s/%s: %s", m.Kind, m.Metadata.Name, v))
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	if len(lines) > 0 {
		return 1
	}
	fmt.Fprintf(os.Stderr, "psacheck: %d pod template(s) satisfy %q\n", pods, "restricted:latest")
	return 0
}
