#!/usr/bin/python3
"""Summarises a `bazel test` run from its build event protocol (JSON) file.

Prints one line per test target (test cases passed/failed/skipped) and ends
with the plain line "N passed, M failed[, K skipped]" counting test cases.
A target that failed to build, crashed, or timed out counts as one failed
case (plus any cases its XML shows). Exits 1 if anything failed.
"""
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET


def cases_from_xml(path):
    """Returns (passed, failed, skipped) from a JUnit XML written by gtest."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(bep_path):
    results = {}  # label -> (status, xml path)
    build_failed = set()
    with open(bep_path) as f:
        for line in f:
            event = json.loads(line)
            ident = event.get("id", {})
            if "testResult" in ident:
                label = ident["testResult"]["label"]
                body = event.get("testResult", {})
                xml = None
                for out in body.get("testActionOutput", []):
                    if out.get("name") == "test.xml":
                        xml = urllib.parse.urlparse(out["uri"]).path
                results[label] = (body.get("status", "NO_STATUS"), xml)
            elif "targetCompleted" in ident:
                completed = event.get("completed")
                if completed is None or not completed.get("success", False):
                    if event.get("aborted") or completed is not None:
                        build_failed.add(ident["targetCompleted"]["label"])
    total_passed = total_failed = total_skipped = 0
    for label in sorted(results):
        status, xml = results[label]
        counts = cases_from_xml(xml) if xml else None
        passed, failed, skipped = counts if counts else (0, 0, 0)
        if status != "PASSED" and failed == 0:
            failed = 1  # crashed, timed out, or no XML: the target failed
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
        mark = "PASS" if status == "PASSED" else "FAIL"
        extra = f", {skipped} skipped" if skipped else ""
        print(f"{mark} {label}: {passed} passed, {failed} failed{extra}"
              f"{'' if status == 'PASSED' else ' (' + status + ')'}")
    for label in sorted(build_failed - set(results)):
        print(f"FAIL {label}: did not build")
        total_failed += 1
    line = f"{total_passed} passed, {total_failed} failed"
    if total_skipped:
        line += f", {total_skipped} skipped"
    print(line)
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
