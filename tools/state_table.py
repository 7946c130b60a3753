"""The state table as the template declares it, for the tests and benchmarks that create one."""

import json
from pathlib import Path

from cfnlint.decode import decode

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


def state_table_definition():
    """The template's own StateTable: its keys, attributes, billing and indexes, as CreateTable
    takes them (TTL and encryption are separate calls, and nothing here reads them)."""
    template, problems = decode(str(TEMPLATE))
    assert not problems, problems
    properties = json.loads(json.dumps(template["Resources"]["StateTable"]["Properties"]))
    return {key: properties[key] for key in
            ("BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes") if key in properties}
