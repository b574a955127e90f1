// Command helmlookup renders a chart's Deployment through Helm's own template
// engine with a fake cluster behind `lookup`, and replays what `helm upgrade`
// does to the live object: the three-way strategic merge patch of
// helm.sh/helm/v3/pkg/kube (previous release manifest, new manifest, live
// object), applied to the live Deployment, then the API server's default for a
// missing spec.replicas (1). `helm template` and `--dry-run` cannot test a
// chart's lookup; this can, without a cluster.
//
//	helmlookup --chart DIR [--release NAME] [--namespace NS] [--values FILE]...
//	           [--set-string k=v]... [--live FILE] [--previous FILE]
//
// --live is the Deployment as the cluster holds it (YAML or JSON); without it
// lookup finds nothing, as on a first install. --previous is the Deployment the
// previous release rendered; with --live it makes the upgrade replay. Prints
// JSON {"rendered": <Deployment>, "patch": <patch>, "result": <Deployment>}.
// Exits 1 when the chart does not render, 2 on bad usage or input.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/getter"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"sigs.k8s.io/yaml"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// cluster answers lookup for Deployments from the objects it was given.
type cluster struct{ client dynamic.Interface }

func (c cluster) GetClientFor(apiVersion, kind string) (dynamic.NamespaceableResourceInterface, bool, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, false, err
	}
	resource := strings.ToLower(kind) + "s"
	return c.client.Resource(gv.WithResource(resource)), true, nil
}

func main() {
	var chartDir, release, namespace, livePath, previousPath string
	var valueFiles, setStrings list
	flag.StringVar(&chartDir, "chart", "", "chart directory")
	flag.StringVar(&release, "release", "release", "release name")
	flag.StringVar(&namespace, "namespace", "default", "namespace")
	flag.StringVar(&livePath, "live", "", "the live Deployment (YAML/JSON)")
	flag.StringVar(&previousPath, "previous", "", "the previous release's Deployment (YAML/JSON)")
	flag.Var(&valueFiles, "values", "values file (repeatable)")
	flag.Var(&setStrings, "set-string", "k=v (repeatable)")
	flag.Parse()
	if chartDir == "" || flag.NArg() > 0 {
		usage("--chart is required and there are no arguments")
	}

	var live *unstructured.Unstructured
	if livePath != "" {
		live = readObject(livePath)
	}

	chrt, err := loader.Load(chartDir)
	if err != nil {
		fail(1, "loading the chart: %v", err)
	}
	opts := values.Options{ValueFiles: valueFiles, StringValues: setStrings}
	vals, err := opts.MergeValues(getter.Providers{})
	if err != nil {
		fail(2, "values: %v", err)
	}
	rel := chartutil.ReleaseOptions{Name: release, Namespace: namespace, Revision: 1, IsInstall: live == nil, IsUpgrade: live != nil}
	if live != nil {
		rel.Revision = 2
	}
	renderValues, err := chartutil.ToRenderValues(chrt, vals, rel, chartutil.DefaultCapabilities)
	if err != nil {
		fail(1, "values: %v", err)
	}

	var objects []runtime.Object
	if live != nil {
		objects = append(objects, live)
	}
	fake := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{{Group: "apps", Version: "v1", Resource: "deployments"}: "DeploymentList"}, objects...)
	out, err := engine.RenderWithClientProvider(chrt, renderValues, cluster{fake})
	if err != nil {
		fail(1, "rendering: %v", err)
	}
	rendered := deploymentOf(out)

	result := map[string]any{"rendered": rendered}
	if live != nil && previousPath != "" {
		patch, after := upgrade(readObject(previousPath), rendered, live)
		result["patch"] = json.RawMessage(patch)
		result["result"] = after
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(result); err != nil {
		fail(2, "%v", err)
	}
}

// deploymentOf finds the one Deployment among the rendered templates.
func deploymentOf(out map[string]string) map[string]any {
	var found map[string]any
	for name, text := range out {
		if !strings.HasSuffix(name, ".yaml") || strings.TrimSpace(text) == "" {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				fail(1, "%s: %v", name, err)
			}
			if obj["kind"] == "Deployment" {
				if found != nil {
					fail(1, "more than one Deployment rendered")
				}
				found = obj
			}
		}
	}
	if found == nil {
		fail(1, "no Deployment rendered")
	}
	return found
}

// upgrade replays helm.sh/helm/v3/pkg/kube createPatch for a Deployment: the
// three-way strategic merge patch from the previous manifest to the new one,
// against the live object, with overwrite; then the API server applies it and
// defaults a missing spec.replicas to 1 (apps/v1 SetDefaults_Deployment).
func upgrade(previous *unstructured.Unstructured, rendered map[string]any, live *unstructured.Unstructured) ([]byte, map[string]any) {
	oldData := mustJSON(previous.Object)
	newData := mustJSON(rendered)
	liveData := mustJSON(live.Object)
	meta, err := strategicpatch.NewPatchMetaFromStruct(&appsv1.Deployment{})
	if err != nil {
		fail(2, "%v", err)
	}
	patch, err := strategicpatch.CreateThreeWayMergePatch(oldData, newData, liveData, meta, true)
	if err != nil {
		fail(1, "three-way patch: %v", err)
	}
	patched, err := strategicpatch.StrategicMergePatch(liveData, patch, &appsv1.Deployment{})
	if err != nil {
		fail(1, "applying the patch: %v", err)
	}
	var d appsv1.Deployment
	if err := json.Unmarshal(patched, &d); err != nil {
		fail(1, "the patched Deployment: %v", err)
	}
	if d.Spec.Replicas == nil {
		one := int32(1)
		d.Spec.Replicas = &one
	}
	var after map[string]any
	if err := json.Unmarshal(mustJSON(d), &after); err != nil {
		fail(2, "%v", err)
	}
	return patch, after
}

func readObject(path string) *unstructured.Unstructured {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(2, "%v", err)
	}
	j, err := utilyaml.ToJSON(data)
	if err != nil {
		fail(2, "%s: %v", path, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		fail(2, "%s: %v", path, err)
	}
	return obj
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		fail(2, "%v", err)
	}
	return b
}

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "helmlookup: %s\n", msg)
	flag.Usage()
	os.Exit(2)
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "helmlookup: "+format+"\n", args...)
	os.Exit(code)
}
