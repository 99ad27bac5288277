"""The Python example synthesizes to the same stack as its TypeScript twin, passes cfn-lint and every rule pack."""
import json
import shutil
import subprocess


def resources_by_id(template):
    return template["Resources"]


def test_same_resources_as_the_typescript_example(python_example, typescript_example):
    _, py = python_example
    _, ts = typescript_example
    assert list(py) == ["KerasSageMakerQueue"] and list(ts) == ["KerasSageMakerQueue"]
    py_res, ts_res = resources_by_id(py["KerasSageMakerQueue"]), resources_by_id(ts["KerasSageMakerQueue"])
    assert sorted(py_res) == sorted(ts_res), "the two apps create different resources"
    assert {k: v["Type"] for k, v in py_res.items()} == {k: v["Type"] for k, v in ts_res.items()}
    # Every property (timeouts, throttling, scaling, queue and alarm numbers, handler bundles) is the same.
    for logical_id, resource in ts_res.items():
        assert py_res[logical_id].get("Properties") == resource.get("Properties"), f"{logical_id} differs"
    assert py["KerasSageMakerQueue"]["Outputs"] == ts["KerasSageMakerQueue"]["Outputs"]


def test_derived_numbers_reach_the_template(python_example):
    _, py = python_example
    t = py["KerasSageMakerQueue"]
    res = t["Resources"].values()
    budget = int(t["Outputs"]["DepthBudget"]["Value"])
    assert budget > 0
    queues = [r for r in res if r["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in r["Properties"]]
    assert len(queues) == 1 and queues[0]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    targets = [r for r in res if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"]
    assert [(r["Properties"]["MinCapacity"], r["Properties"]["MaxCapacity"]) for r in targets] == [(1, 3)]


def test_cfn_lint_clean(python_example):
    out, _ = python_example
    templates = [str(p) for p in out.glob("*.template.json")]
    done = subprocess.run([shutil.which("cfn-lint") or "cfn-lint", *templates], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rule_packs_ran_and_are_clean(python_example):
    out, py = python_example
    report = json.loads((out / "policy-validation-report.json").read_text())
    assert [p for p in report["pluginReports"] if p.get("violations")] == []
    # The packs ran: their acknowledgements (with reasons) are written into the template.
    suppressed = [s for r in py["KerasSageMakerQueue"]["Resources"].values()
                  for s in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
    assert any(s["id"].startswith("AwsSolutions-") for s in suppressed)
    assert all(s["reason"].strip() for s in suppressed)
