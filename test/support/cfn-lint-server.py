"""cfn-lint's own command line, run in one long-lived process for the whole test run.

Every `cfn-lint` command starts Python and imports cfn-lint with its rules and schemas: about 3.5 s
of CPU before it reads a template, for templates that take 1 to 2 s to lint, and loads its rules
(share_builtin_rules below). The test suite lints templates in many files, so it pays that start once here: each request runs
`cfnlint.runner.cli.main()`, the function behind the `cfn-lint` command, with the request's
arguments and working directory, and answers what the command would have printed and its exit
status. Nothing else differs: the same argument parsing, configuration files (.cfnlintrc in the
working directory and the home folder), rules, output formats and exit codes (2 error, 4 warning,
8 informational). test/support/cfn-lint.ts is the client; test/tools/cfn-lint-server.test.ts
holds the two to the same answers.

Requests are served one at a time (cfn-lint changes process-wide state: logging, the working
directory, sys.argv). It listens and prints its port before it imports cfn-lint, so the jest run
need not wait for the import: a request sent meanwhile waits in the socket's backlog. It serves
until its stdin closes (the jest run that started it has ended) or it is stopped.

    python cfn-lint-server.py            # prints "listening on PORT"
    POST / {"args": ["template.json"], "cwd": "/some/dir"}
      -> 200 {"status": 0, "stdout": "", "stderr": ""}
"""
import contextlib
import io
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

# cfn-lint's command-line module, imported once the server listens (main).
cfnlint_cli = None


def run_cfn_lint(args, cwd):
    """What `cfn-lint ARGS` run in `cwd` prints on stdout and stderr, and its exit status."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    before = os.getcwd()
    sys.argv = ["cfn-lint", *args]
    # A command line that names no template makes cfn-lint read one from standard input: the tests'
    # commands get an empty one (jest starts them with stdin ignored), never this process's, which
    # the test run holds open.
    stdin = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cfnlint_cli.main()
            except SystemExit as e:
                # sys.exit(code): an int, None (0) or a message (printed, status 1), as Python's own exit does.
                if e.code is None:
                    status = 0
                elif isinstance(e.code, int):
                    status = e.code
                else:
                    print(e.code, file=sys.stderr)
                    status = 1
    finally:
        os.chdir(before)
        sys.stdin = stdin
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


def share_builtin_rules(runner_class, builtin_rules_dir):
    """Loads cfn-lint's built-in rules once for every request that uses them alone.

    A `cfn-lint` command loads its rules when it starts: it executes every rule module (over 300)
    and reads their JSON schemas again, about 0.4 s of CPU, before it reads a template. One command
    given several templates lints them all with that one rule collection, configuring each rule
    from the command's configuration before each template (`Rules.run`), so the collection carries
    nothing from one template to the next but the record of rules used, which the pretty and JUnit
    formats print: that is reset here for each request. A request that adds rules (--append-rules,
    --custom-rules) loads its own, as the command does.
    """
    load = runner_class._get_rules
    builtin = {}

    def get_rules(self):
        if self.config.append_rules != [builtin_rules_dir] or self.config.custom_rules:
            return load(self)
        if "rules" not in builtin:
            load(self)
            builtin["rules"] = self.rules
        self.rules = builtin["rules"]
        self.rules._used_rules = {}

    runner_class._get_rules = get_rules


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            args, cwd = request["args"], request.get("cwd") or os.getcwd()
            if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                raise ValueError("args must be a list of strings")
        except (ValueError, KeyError, TypeError) as e:
            return self.answer(400, {"error": f"bad request: {e}"})
        try:
            answer = run_cfn_lint(args, cwd)
        except Exception as e:  # noqa: BLE001 - cfn-lint's own crash, reported as the command would (exit 1)
            answer = {"status": 1, "stdout": "", "stderr": f"{type(e).__name__}: {e}"}
        self.answer(200, answer)

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args):
        """No access log: nobody reads it."""


def exit_when_stdin_closes():
    """The test run holds this process's stdin open; when the run ends, however it ends, so does this process."""
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    global cfnlint_cli
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    import cfnlint.config  # noqa: E402 - after listening: the import takes seconds
    import cfnlint.runner.cli  # noqa: E402

    share_builtin_rules(cfnlint.runner.cli.Runner, cfnlint.config._DEFAULT_RULESDIR)
    cfnlint_cli = cfnlint.runner.cli
    server.serve_forever()


if __name__ == "__main__":
    main()
