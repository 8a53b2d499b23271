//! The deployment template (`infra/template.yaml`) keeps its promises: no IAM statement gives
//! a wildcard action or a wildcard resource on data, every function runs on arm64, the table
//! has exactly the keys, index and TTL attribute the store uses, and the CDN sends the same
//! security headers as `musharaka serve`.

use musharaka_functions::security;
use musharaka_functions::store::dynamo::names;
use musharaka_functions::store::schema::{Index, KeyPart, TEMPLATE, TableDefinition};
use serde_yaml::Value;

fn template() -> Value {
    serde_yaml::from_str(TEMPLATE).expect("the template is YAML")
}

/// The value under a CloudFormation intrinsic tag (`!GetAtt`, `!Sub`) or the value itself.
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn strings(v: &Value) -> Vec<String> {
    match untag(v) {
        Value::Sequence(seq) => seq.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![format!("{other:?}")],
    }
}

fn resources(t: &Value) -> Vec<(String, &Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v))
        .collect()
}

/// Every IAM statement of the template: in functions' inline policies and in managed or inline
/// policy resources.
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, r) in resources(t) {
        let props = &r["Properties"];
        let mut docs: Vec<&Value> = Vec::new();
        if let Some(policies) = props["Policies"].as_sequence() {
            docs.extend(policies.iter().filter(|p| p.get("Statement").is_some()));
            docs.extend(policies.iter().filter_map(|p| p.get("PolicyDocument")));
        }
        if let Some(doc) = props.get("PolicyDocument") {
            docs.push(doc);
        }
        for doc in docs {
            for s in doc["Statement"].as_sequence().into_iter().flatten() {
                out.push((name.clone(), s.clone()));
            }
        }
    }
    out
}

#[test]
fn no_statement_grants_a_wildcard_action_or_a_wildcard_resource_on_data() {
    let t = template();
    let all = statements(&t);
    assert!(all.len() >= 4, "found only {} statements", all.len());
    for (owner, s) in all {
        let actions = strings(&s["Action"]);
        let resources = strings(&s["Resource"]);
        for a in &actions {
            assert!(!a.contains('*'), "{owner}: wildcard action {a}");
        }
        let on_data = actions
            .iter()
            .any(|a| a.starts_with("dynamodb:") || a.starts_with("s3:"));
        for r in &resources {
            assert!(
                !(on_data && r.trim() == "*"),
                "{owner}: data action on every resource"
            );
            if actions.iter().any(|a| a.starts_with("dynamodb:")) {
                assert!(
                    r.starts_with("Table."),
                    "{owner}: DynamoDB access beyond the table: {r}"
                );
            }
        }
    }
}

#[test]
fn each_function_may_only_do_what_it_does() {
    let t = template();
    let actions = |name: &str| -> Vec<String> {
        statements(&t)
            .into_iter()
            .filter(|(owner, _)| owner == name)
            .flat_map(|(_, s)| strings(&s["Action"]))
            .collect()
    };
    assert!(
        !actions("CountsFunction")
            .iter()
            .any(|a| a.contains("Put") || a.contains("Update"))
    );
    assert!(actions("CommentFunction").contains(&"dynamodb:ConditionCheckItem".to_string()));
    // Signing deletes nothing but a signature its signer withdraws, one item at a time.
    let sign = actions("SignFunction");
    assert!(sign.contains(&"dynamodb:DeleteItem".to_string()));
    assert!(
        !sign
            .iter()
            .any(|a| a.contains("Scan") || a.contains("BatchWrite") || a.contains("DeleteTable"))
    );
}

#[test]
fn every_function_runs_on_arm64_with_a_small_footprint() {
    let t = template();
    let global = &t["Globals"]["Function"];
    let functions: Vec<_> = resources(&t)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .collect();
    assert_eq!(functions.len(), 3);
    for (name, f) in functions {
        let p = &f["Properties"];
        let arch = p.get("Architectures").unwrap_or(&global["Architectures"]);
        assert_eq!(strings(arch), ["arm64"], "{name}");
        let runtime = p.get("Runtime").unwrap_or(&global["Runtime"]);
        assert_eq!(runtime.as_str(), Some("provided.al2023"), "{name}");
        assert_eq!(
            f["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{name}"
        );
        let memory = p.get("MemorySize").unwrap_or(&global["MemorySize"]);
        assert!(memory.as_u64().unwrap() <= 256, "{name}");
        let env = &global["Environment"]["Variables"];
        for secret in ["MUSHARAKA_PEPPER", "MUSHARAKA_DATA_KEY"] {
            let v = strings(&env[secret]).concat();
            assert!(
                v.contains("{{resolve:secretsmanager:"),
                "{secret} must come from Secrets Manager"
            );
        }
    }
}

#[test]
fn the_table_is_the_one_the_store_uses() {
    let def = TableDefinition::from_template(TEMPLATE).unwrap();
    let part = |name: &str, key_type: &str| KeyPart {
        name: name.into(),
        key_type: key_type.into(),
    };
    assert_eq!(def.key, [part(names::PK, "HASH"), part(names::SK, "RANGE")]);
    assert_eq!(
        def.indexes,
        [Index {
            name: names::GSI1.into(),
            key: vec![part(names::GSI1PK, "HASH"), part(names::GSI1SK, "RANGE")],
            projection: "ALL".into(),
        }]
    );
    assert_eq!(def.ttl_attribute.as_deref(), Some(names::TTL));
    let table = &template()["Resources"]["Table"]["Properties"];
    assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        table["SSESpecification"]["SSEEnabled"].as_bool(),
        Some(true)
    );
}

#[test]
fn the_cdn_sends_the_same_security_headers_as_serve() {
    let t = template();
    let config =
        &t["Resources"]["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"];
    let sec = &config["SecurityHeadersConfig"];
    let mut sent: Vec<(String, String)> = vec![
        (
            "content-security-policy".into(),
            sec["ContentSecurityPolicy"]["ContentSecurityPolicy"]
                .as_str()
                .unwrap()
                .into(),
        ),
        ("x-content-type-options".into(), "nosniff".into()),
        (
            "referrer-policy".into(),
            sec["ReferrerPolicy"]["ReferrerPolicy"]
                .as_str()
                .unwrap()
                .into(),
        ),
        (
            "x-frame-options".into(),
            sec["FrameOptions"]["FrameOption"].as_str().unwrap().into(),
        ),
    ];
    for item in config["CustomHeadersConfig"]["Items"]
        .as_sequence()
        .unwrap()
    {
        sent.push((
            item["Header"].as_str().unwrap().to_ascii_lowercase(),
            item["Value"].as_str().unwrap().into(),
        ));
    }
    sent.sort();
    let mut want: Vec<(String, String)> = security::HEADERS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.sort();
    assert_eq!(sent, want);
}
