// Command pulumi-language-python is a small Python language host for the
// Pulumi engine, written for this repository.
//
// Why it exists: upstream's host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which
// the module proxy reachable from our build machines does not serve. The
// engine (pkg/v3) and the Python runner script (`pulumi-language-python-exec`,
// shipped inside github.com/pulumi/pulumi/sdk/v3 under python/cmd/) are served,
// so scripts/install-pulumi builds the engine, copies the runner next to this
// binary, and this host glues the two together.
//
// Scope: enough for `pulumi preview/up/refresh/destroy` of a Python program
// whose virtualenv already exists (dynamic providers included), and for
// Python plugins the engine starts through RunPlugin (a policy pack's
// PulumiPolicy.yaml with `runtime: python`). It reports no plugin requirements
// (so the engine never tries to download resource plugins), does not create
// virtualenvs or install dependencies, and has no type-checker, debugger or
// code generation.
//
// Protocol, as the engine drives it:
//   - started as `pulumi-language-python [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDR`
//     with the project directory as working directory;
//   - prints the port of its gRPC LanguageRuntime server as the first stdout line;
//   - Run starts `PYTHON -u pulumi-language-python-exec --monitor ... PROGRAM`,
//     passing config as JSON in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS;
//   - RunPlugin starts `PYTHON -u PLUGIN_DIR ARGS...` (its __main__.py) with the
//     engine's environment and streams its output back (see RunPlugin).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is reported to the engine; set with -ldflags "-X main.version=...".
var version = "3.0.0-dev"

// The runner script's exit code meaning "an error was already shown to the user".
const bailExitCode = 32

const execName = "pulumi-language-python-exec"

func main() {
	fs := flag.NewFlagSet("pulumi-language-python", flag.ContinueOnError)
	// Flags the engine may pass to every plugin; accepted and ignored.
	fs.Bool("logtostderr", false, "log to stderr (ignored)")
	fs.Int("v", 0, "log verbosity (ignored)")
	tracing := fs.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	// Flags older engines passed to the Python host.
	root := fs.String("root", "", "project root directory")
	virtualenv := fs.String("virtualenv", "", "virtualenv to use when Pulumi.yaml names none")
	executor := fs.String("use-executor", "", "path of the pulumi-language-python-exec script")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}

	execPath := *executor
	if execPath == "" {
		self, err := os.Executable()
		if err == nil {
			self, err = filepath.EvalSymlinks(self)
		}
		if err != nil {
			fatal("cannot locate own executable: %v", err)
		}
		execPath = filepath.Join(filepath.Dir(self), execName)
	}
	if _, err := os.Stat(execPath); err != nil {
		fatal("missing %s next to the language host (%v); rerun scripts/install-pulumi", execName, err)
	}

	cwd, _ := os.Getwd()
	host := &languageHost{
		engineAddress: fs.Arg(0),
		tracing:       *tracing,
		execPath:      execPath,
		root:          *root,
		virtualenv:    *virtualenv,
		cwd:           cwd,
	}

	// Exit when the engine is gone (a killed `pulumi`): otherwise this host, which nothing
	// else stops, would wait for RPCs forever. The engine's health is polled every 2 seconds.
	stop := make(chan bool)
	if host.engineAddress != "" {
		var once sync.Once
		gone := func() { once.Do(func() { close(stop) }) }
		if err := rpcutil.Healthcheck(context.Background(), host.engineAddress, 2*time.Second, gone); err != nil {
			fatal("could not watch the engine at %s: %v", host.engineAddress, err)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fatal("could not start language host RPC server: %v", err)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatal("language host RPC server stopped: %v", err)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	execPath      string
	root          string
	virtualenv    string
	cwd           string
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	if req.GetRootDirectory() != "" {
		h.root = req.GetRootDirectory()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins reports no plugins: the dynamic provider plugin
// (pulumi-resource-pulumi-python) is "bundled" and found next to `pulumi`.
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// InstallDependencies installs nothing: the virtualenv must already exist.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	py, _, err := h.python(req.GetInfo())
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("pulumi-language-python (minimal host): not installing dependencies; using %s\n", py)
	return stream.Send(&pulumirpc.InstallDependenciesResponse{Stderr: []byte(msg)})
}

func (h *languageHost) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	py, env, err := h.python(req.GetInfo())
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(py, "--version")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", py, err)
	}
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Python"))
	return &pulumirpc.AboutResponse{Executable: py, Version: v}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	py, env, err := h.python(req.GetInfo())
	if err != nil {
		return nil, err
	}

	// The runner expects JSON objects/arrays, never null.
	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}
	env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))

	args := []string{"-u", h.execPath}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	add("organization", req.GetOrganization())
	add("root_directory", h.rootOf(req.GetInfo()))
	args = append(args, programPath(req))
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = env
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == bailExitCode:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("could not run %s %s: %v", py, h.execPath, err),
		}, nil
	}
}

// RunPlugin runs a plugin written in Python: a folder whose PulumiPolicy.yaml (or
// PulumiPlugin.yaml) says `runtime: python`, such as a policy pack. As upstream's
// host does, it starts `PYTHON PLUGIN_DIR ARGS...`, which runs the folder's
// __main__.py, in the request's working directory and environment. The
// interpreter is chosen as for a program from the folder's `runtime.options`
// (relative to the folder), with upstream's default for plugins: no `virtualenv`
// and no other toolchain means the folder's own `venv` (pulumi/pulumi#18371),
// never the Python on PATH. `-u` keeps stdout unbuffered: the engine waits for
// the port that the plugin prints on its first line. Output goes back as it
// comes, and the last message is the exit code.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram()
	}
	if dir == "" {
		return errors.New("RunPlugin: the request names no plugin folder")
	}
	opts := map[string]any{}
	if info.GetOptions() != nil {
		opts = info.GetOptions().AsMap()
	}
	if tc, _ := opts["toolchain"].(string); (tc == "" || tc == "pip") && opts["virtualenv"] == nil {
		opts["virtualenv"] = "venv"
		venv := filepath.Join(dir, "venv")
		if _, err := os.Stat(filepath.Join(venv, "bin", "python")); err != nil {
			return fmt.Errorf("the Python plugin in %s names no virtualenv (runtime.options.virtualenv "+
				"in its PulumiPolicy.yaml or PulumiPlugin.yaml), and %s, where it then runs, has no "+
				"bin/python: set the option, or create it (python3 -m venv %s && %s/bin/python -m pip "+
				"install -r %s)", dir, venv, venv, venv, filepath.Join(dir, "requirements.txt"))
		}
	}
	options, err := structpb.NewStruct(opts)
	if err != nil {
		return fmt.Errorf("RunPlugin: runtime options of %s: %w", dir, err)
	}
	info = &pulumirpc.ProgramInfo{
		RootDirectory:    dir,
		ProgramDirectory: dir,
		EntryPoint:       ".",
		Options:          options,
	}
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	py, env, err := h.pythonWith(info, env)
	if err != nil {
		return fmt.Errorf("cannot run the Python plugin in %s: %w", dir, err)
	}

	// Two pipes copy into the one stream, whose Send must not run concurrently.
	var mu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return server.Send(resp)
	}
	cmd := exec.CommandContext(server.Context(), py, append([]string{"-u", dir}, req.GetArgs()...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	err = cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	default:
		return fmt.Errorf("could not run %s %s: %w", py, dir, err)
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// streamWriter sends each write as one message. The bytes are copied: exec reuses
// its buffer once Write returns, and a sent message may still be in flight.
type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// programPath is the program to run: PROGRAM_DIR/ENTRY_POINT, or the request's
// (deprecated) program field, relative to the request's pwd.
func programPath(req *pulumirpc.RunRequest) string {
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		entry := info.GetEntryPoint()
		if entry == "" {
			entry = "."
		}
		return filepath.Join(info.GetProgramDirectory(), entry)
	}
	if p := req.GetProgram(); p != "" {
		return p
	}
	return "."
}

func (h *languageHost) rootOf(info *pulumirpc.ProgramInfo) string {
	if info != nil && info.GetRootDirectory() != "" {
		return info.GetRootDirectory()
	}
	if h.root != "" {
		return h.root
	}
	return h.cwd
}

// python picks the interpreter the way upstream's host does for the options
// it supports (runtime.options in Pulumi.yaml):
//   - virtualenv: DIR (relative to the project root) -> DIR/bin/python;
//   - toolchain: uv -> ROOT/.venv; toolchain: poetry -> `poetry env info --path`;
//   - otherwise $PULUMI_PYTHON_CMD, else python3 (else python) from PATH.
//
// It returns the interpreter and the environment to run it with (for a
// virtualenv: VIRTUAL_ENV set, its bin/ first on PATH, PYTHONHOME unset).
func (h *languageHost) python(info *pulumirpc.ProgramInfo) (string, []string, error) {
	return h.pythonWith(info, os.Environ())
}

// pythonWith is python with env as the environment to start from.
func (h *languageHost) pythonWith(info *pulumirpc.ProgramInfo, env []string) (string, []string, error) {
	root := h.rootOf(info)
	opts := map[string]any{}
	if info != nil && info.GetOptions() != nil {
		opts = info.GetOptions().AsMap()
	}
	str := func(k string) string {
		if v, ok := opts[k].(string); ok {
			return v
		}
		return ""
	}

	venv := str("virtualenv")
	if venv == "" {
		venv = h.virtualenv
	}
	toolchain := str("toolchain")
	switch {
	case venv != "":
	case toolchain == "uv":
		venv = ".venv"
	case toolchain == "poetry":
		cmd := exec.Command("poetry", "env", "info", "--path")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return "", nil, fmt.Errorf("toolchain poetry: `poetry env info --path` failed: %w", err)
		}
		venv = strings.TrimSpace(string(out))
	}

	if venv == "" {
		name := lookupEnv(env, "PULUMI_PYTHON_CMD")
		if name == "" {
			name = "python3"
			if _, err := exec.LookPath(name); err != nil {
				name = "python"
			}
		}
		py, err := exec.LookPath(name)
		if err != nil {
			return "", nil, fmt.Errorf("no Python interpreter: %q not found on PATH "+
				"(set runtime.options.virtualenv in Pulumi.yaml, or PULUMI_PYTHON_CMD)", name)
		}
		return py, env, nil
	}

	if !filepath.IsAbs(venv) {
		venv = filepath.Join(root, venv)
	}
	py := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(py); err != nil {
		return "", nil, fmt.Errorf("the virtualenv %q has no bin/python; create it first "+
			"(python3 -m venv %s && %s -m pip install pulumi): %w", venv, venv, py, err)
	}
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "PYTHONHOME="), strings.HasPrefix(kv, "VIRTUAL_ENV="), strings.HasPrefix(kv, "PATH="):
		default:
			out = append(out, kv)
		}
	}
	out = append(out,
		"VIRTUAL_ENV="+venv,
		"PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+lookupEnv(env, "PATH"))
	return py, out, nil
}

// lookupEnv is the value of name in env (KEY=VALUE entries; the last one wins).
func lookupEnv(env []string, name string) string {
	value := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			value = v
		}
	}
	return value
}
