#!/usr/bin/env python3
"""Captures the Engine API answers of `fuzz_engine_api.rs`'s seed (engine-api/captured.json).

Run against the private test dockerd (`cargo xtask scenario up --daemon test`) after creating the
two containers named below:

    D="docker -H unix:///tmp/zerodock-test/test/docker.sock"
    $D create --name zd-api-priv --privileged --cap-add NET_ADMIN -p 28999:80 -v /tmp:/host-tmp:ro \
        --label team=api --health-cmd true --restart on-failure:3 zerodock/busybox:1
    $D run -d --name zd-api-run --read-only --user 1000:1000 --security-opt no-new-privileges \
        --memory 64m --pids-limit 50 --cap-drop ALL zerodock/busybox:1 sleep 3600
    $D exec -d zd-api-run sleep 600
    python3 crates/engine/tests/engine-api/capture.py /tmp/zerodock-test/test/docker.sock

Each answer is stored under its path (no API version prefix, no query); the container and image
lists are cut down to those two containers and their image, so the seed stays small.
"""
import json
import subprocess
import sys

SOCK = sys.argv[1]
NAMES = {"/zd-api-priv", "/zd-api-run"}


def get(path):
    out = subprocess.run(["curl", "-sf", "--unix-socket", SOCK, f"http://docker{path}"],
                         check=True, capture_output=True).stdout
    return json.loads(out)


answers = {"/version": get("/version"), "/info": get("/info")}
containers = [c for c in get("/containers/json?all=1") if set(c["Names"]) & NAMES]
answers["/containers/json"] = containers
images = set()
for c in containers:
    inspect = get(f"/containers/{c['Id']}/json")
    answers[f"/containers/{c['Id']}/json"] = inspect
    images.add(inspect["Image"])
    if inspect["State"]["Running"]:
        answers[f"/containers/{c['Id']}/top"] = get(f"/containers/{c['Id']}/top?ps_args=-eo%20pid,comm")
    for exec_id in inspect.get("ExecIDs") or []:
        answers[f"/exec/{exec_id}/json"] = get(f"/exec/{exec_id}/json")
answers["/images/json"] = [i for i in get("/images/json") if i["Id"] in images]
for image in sorted(images):
    answers[f"/images/{image}/json"] = get(f"/images/{image}/json")
    answers[f"/images/{image}/history"] = get(f"/images/{image}/history")
answers["/networks"] = get("/networks")
answers["/volumes"] = get("/volumes")
json.dump(answers, sys.stdout, indent=1, sort_keys=True)
print()
