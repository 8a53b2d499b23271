//! The deployment template (`infra/template.yaml`) keeps its promises: no IAM statement gives
//! a wildcard action or a wildcard resource on data, every function runs on arm64, the table
//! has exactly the keys, index and TTL attribute the store uses, the CDN sends the same
//! security headers as `musharaka serve`, each function is routed exactly the API routes it
//! serves, and the notify function reads new outbox items from
//! the table's stream, retries a bounded number of times into its queue, and may only send as
//! the sender's identity and to phone numbers.

use musharaka_functions::store::dynamo::names;
use musharaka_functions::store::schema::{Index, KeyPart, TEMPLATE, TableDefinition};
use musharaka_functions::{Lambda, routes_of, security};
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
        assert!(s.get("NotAction").is_none(), "{owner}: NotAction");
        if s.get("NotResource").is_some() {
            assert_eq!(actions, ["sns:Publish"], "{owner}: NotResource beyond SMS");
        }
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
                    r.starts_with("Table.") || r == "${Table.Arn}/index/gsi1",
                    "{owner}: DynamoDB access beyond the table and its index: {r}"
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
    // The committee function touches proposals, their members and codes, and nothing else.
    let committee: Vec<(String, Value)> = (statements(&t).into_iter())
        .filter(|(owner, _)| owner == "CommitteeFunction")
        .collect();
    assert_eq!(committee.len(), 1);
    let keys =
        strings(&committee[0].1["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]);
    assert_eq!(
        keys,
        ["PROPOSAL#*", "KEY#*", "OUTBOX#*", "CONTACTDAY#*", "RATE#*"]
    );
    assert!(
        !actions("CommitteeFunction")
            .iter()
            .any(|a| a.contains("Scan"))
    );
    // Signing deletes nothing but a signature its signer withdraws, one item at a time.
    let sign = actions("SignFunction");
    assert!(sign.contains(&"dynamodb:DeleteItem".to_string()));
    assert!(
        !sign
            .iter()
            .any(|a| a.contains("Scan") || a.contains("BatchWrite") || a.contains("DeleteTable"))
    );
}

/// The tag (`!Ref`, `!GetAtt`, `!Sub`) and the value of an intrinsic function.
fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((t.tag.to_string(), &t.value)),
        _ => None,
    }
}

fn is_ref(v: &Value, name: &str) -> bool {
    intrinsic(v).is_some_and(|(tag, value)| tag == "!Ref" && value.as_str() == Some(name))
}

fn is_get_att(v: &Value, path: &str) -> bool {
    intrinsic(v).is_some_and(|(tag, value)| tag == "!GetAtt" && value.as_str() == Some(path))
}

/// The event source mapping that invokes `function`.
fn mapping_of<'a>(t: &'a Value, function: &str) -> &'a Value {
    let found: Vec<_> = resources(t)
        .into_iter()
        .filter(|(_, r)| {
            r["Type"].as_str() == Some("AWS::Lambda::EventSourceMapping")
                && is_ref(&r["Properties"]["FunctionName"], function)
        })
        .collect();
    assert_eq!(found.len(), 1, "one event source mapping for {function}");
    &found[0].1["Properties"]
}

#[test]
fn the_notify_function_reads_only_new_outbox_items_from_the_table_stream() {
    let t = template();
    assert_eq!(
        t["Resources"]["Table"]["Properties"]["StreamSpecification"]["StreamViewType"].as_str(),
        Some("NEW_IMAGE")
    );
    let m = mapping_of(&t, "NotifyFunction");
    assert!(is_get_att(&m["EventSourceArn"], "Table.StreamArn"));
    let filters = m["FilterCriteria"]["Filters"].as_sequence().unwrap();
    assert_eq!(filters.len(), 1);
    let pattern: serde_json::Value =
        serde_json::from_str(filters[0]["Pattern"].as_str().unwrap()).unwrap();
    assert_eq!(
        pattern,
        serde_json::json!({
            "eventName": ["INSERT"],
            "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}
        })
    );
    // The prefix is the one the store writes.
    let key = musharaka_functions::store::dynamo::outbox_key("x");
    assert_eq!(key[names::PK].as_s().unwrap(), "OUTBOX#x");
    // Through the mapping only: SAM events would bring a policy on every stream.
    let function = &t["Resources"]["NotifyFunction"]["Properties"];
    assert!(function.get("Events").is_none());
}

#[test]
fn failed_deliveries_are_retried_a_bounded_number_of_times_then_go_to_the_queue() {
    let t = template();
    let m = mapping_of(&t, "NotifyFunction");
    assert_eq!(
        strings(&m["FunctionResponseTypes"]),
        ["ReportBatchItemFailures"]
    );
    let retries = m["MaximumRetryAttempts"].as_i64().unwrap();
    assert!((0..=10).contains(&retries), "bounded retries: {retries}");
    assert_eq!(m["BisectBatchOnFunctionError"].as_bool(), Some(true));
    assert!(is_get_att(
        &m["DestinationConfig"]["OnFailure"]["Destination"],
        "NotifyFailures.Arn"
    ));
    assert_eq!(
        t["Resources"]["NotifyFailures"]["Type"].as_str(),
        Some("AWS::SQS::Queue")
    );
    // A whole batch fits in one invocation even at one message a second.
    let batch = m["BatchSize"].as_u64().unwrap();
    let timeout = t["Resources"]["NotifyFunction"]["Properties"]["Timeout"]
        .as_u64()
        .unwrap();
    assert!(
        timeout >= batch + 2 * musharaka_functions::notify::stream::SEND_TIMEOUT.as_secs(),
        "timeout {timeout} s for batches of {batch}"
    );
    assert!(t["Parameters"]["SendRate"]["MinValue"].as_u64().unwrap() >= 1);
}

#[test]
fn the_notify_function_may_only_send_as_its_identity_to_phone_numbers_and_delete_outbox_items() {
    let t = template();
    let notify: Vec<Value> = statements(&t)
        .into_iter()
        .filter(|(owner, _)| owner == "NotifyFunction")
        .map(|(_, s)| s)
        .collect();
    let mut actions: Vec<String> = notify.iter().flat_map(|s| strings(&s["Action"])).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "dynamodb:DeleteItem",
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
            "ses:SendEmail",
            "sns:Publish",
            "sqs:SendMessage",
        ]
    );
    let statement = |action: &str| {
        notify
            .iter()
            .find(|s| strings(&s["Action"]).iter().any(|a| a == action))
            .unwrap()
    };
    assert!(is_get_att(
        &statement("dynamodb:GetRecords")["Resource"],
        "Table.StreamArn"
    ));
    let delete = statement("dynamodb:DeleteItem");
    assert!(is_get_att(&delete["Resource"], "Table.Arn"));
    assert_eq!(
        strings(&delete["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]),
        ["OUTBOX#*"]
    );
    let ses = statement("ses:SendEmail");
    let (tag, arn) = intrinsic(&ses["Resource"]).unwrap();
    assert_eq!(tag, "!Sub");
    assert_eq!(
        arn.as_str(),
        Some("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailIdentity}")
    );
    let sms = statement("sns:Publish");
    assert!(sms.get("Resource").is_none());
    assert_eq!(
        strings(&sms["NotResource"]),
        ["arn:${AWS::Partition}:sns:*:*:*"]
    );
    assert!(is_get_att(
        &statement("sqs:SendMessage")["Resource"],
        "NotifyFailures.Arn"
    ));
    // Nobody else sends anything.
    for (owner, s) in statements(&t) {
        if owner != "NotifyFunction" {
            for a in strings(&s["Action"]) {
                assert!(
                    !(a.starts_with("ses:") || a.starts_with("sns:") || a.starts_with("sqs:")),
                    "{owner}: {a}"
                );
            }
        }
    }
}

#[test]
fn the_notify_function_takes_its_sender_and_rate_from_parameters() {
    let t = template();
    let env = &t["Resources"]["NotifyFunction"]["Properties"]["Environment"]["Variables"];
    assert!(is_ref(&env["MUSHARAKA_SES_FROM"], "MailFrom"));
    assert!(is_ref(&env["MUSHARAKA_SMS_SENDER_ID"], "SmsSenderId"));
    assert!(is_ref(&env["MUSHARAKA_SEND_RATE"], "SendRate"));
    assert_eq!(env["MUSHARAKA_SNS_SMS"].as_str(), Some("1"));
    let params = &t["Parameters"];
    assert_eq!(
        params["SendRate"]["Default"].as_u64(),
        Some(u64::from(
            musharaka_functions::notify::stream::DEFAULT_SEND_RATE
        ))
    );
    for p in ["MailFrom", "MailIdentity", "SmsSenderId", "SendRate"] {
        assert!(params.get(p).is_some(), "parameter {p}");
    }
    // The environment names the back ends this function must use, and no other.
    let get = |name: &str| {
        env.get(name)
            .map(|v| v.as_str().map_or_else(|| "set".to_string(), str::to_string))
    };
    assert_eq!(
        musharaka_functions::notify::config::choose(get, false).unwrap(),
        (
            musharaka_functions::notify::config::EmailBy::Ses,
            musharaka_functions::notify::config::SmsBy::Sns
        )
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
    assert_eq!(
        functions.len(),
        musharaka_functions::Lambda::ALL.len() + 3,
        "each Lambda, notify, and the refresh and purge jobs"
    );
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

#[test]
fn each_function_is_routed_exactly_the_api_routes_it_serves() {
    let t = template();
    for lambda in Lambda::ALL {
        let (name, function) = resources(&t)
            .into_iter()
            .find(|(_, r)| {
                r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(lambda.binary())
            })
            .unwrap_or_else(|| panic!("no function builds the `{}` binary", lambda.binary()));
        let mut routed: Vec<(String, String)> = function["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, e)| e["Type"].as_str() == Some("HttpApi"))
            .map(|(_, e)| {
                let p = &e["Properties"];
                let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                (field("Method"), field("Path"))
            })
            .collect();
        let mut served: Vec<(String, String)> = routes_of(lambda)
            .into_iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        routed.sort();
        served.sort();
        assert_eq!(routed, served, "the HTTP API routes of {name}");
    }
}

/// A function of the template by its resource name.
fn function<'a>(t: &'a Value, name: &str) -> &'a Value {
    &t["Resources"][name]
}

#[test]
fn the_scheduled_jobs_refresh_the_pages_and_purge_with_only_what_they_need() {
    let t = template();
    for (name, job, schedule) in [
        (
            "RefreshFunction",
            "refresh",
            "rate(${RefreshMinutes} minutes)",
        ),
        ("PurgeFunction", "purge", "cron(0 3 * * ? *)"),
    ] {
        let f = function(&t, name);
        assert_eq!(
            f["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some("musharaka")
        );
        assert_eq!(f["Properties"]["Handler"].as_str(), Some(job), "{name}");
        let events: Vec<&Value> = f["Properties"]["Events"]
            .as_mapping()
            .unwrap()
            .values()
            .collect();
        assert_eq!(events.len(), 1, "{name}: its schedule alone");
        assert_eq!(events[0]["Type"].as_str(), Some("ScheduleV2"));
        let expression = strings(&events[0]["Properties"]["ScheduleExpression"]);
        assert_eq!(expression, [schedule], "{name}");
        let env = &f["Properties"]["Environment"]["Variables"];
        assert!(is_ref(&env["MUSHARAKA_BUCKET"], "SiteBucket"), "{name}");
        for key in ["MUSHARAKA_PEPPER", "MUSHARAKA_DATA_KEY"] {
            assert_eq!(env[key].as_str(), Some(""), "{name} holds no {key}");
        }
        assert_eq!(
            f["Properties"]["ReservedConcurrentExecutions"].as_u64(),
            Some(1)
        );
    }
    let of = |owner: &str| -> Vec<(Vec<String>, Vec<String>)> {
        (statements(&t).into_iter())
            .filter(|(o, _)| o == owner)
            .map(|(_, s)| (strings(&s["Action"]), strings(&s["Resource"])))
            .collect()
    };
    // Refresh reads the table, writes only the bucket's objects, invalidates only this CDN.
    for (actions, resources) in of("RefreshFunction") {
        for a in &actions {
            assert!(
                [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListBucket",
                    "cloudfront:CreateInvalidation"
                ]
                .contains(&a.as_str()),
                "refresh may not {a}"
            );
            if a == "s3:PutObject" {
                assert_eq!(resources, ["${SiteBucket.Arn}/*"]);
            }
            if a.starts_with("cloudfront:") {
                assert!(
                    resources[0].ends_with(":distribution/${Distribution}"),
                    "{resources:?}"
                );
            }
        }
    }
    // Purge writes nothing to the bucket and reads only the published catalog there.
    for (actions, resources) in of("PurgeFunction") {
        for a in actions.iter().filter(|a| a.starts_with("s3:")) {
            assert_eq!(a, "s3:GetObject");
            assert_eq!(resources, ["${SiteBucket.Arn}/catalog.json"]);
        }
        assert!(
            !actions
                .iter()
                .any(|a| a.contains("Scan") || a.contains("DeleteTable"))
        );
    }
    // The CDN serves neither the sources the refresh renders from nor its state.
    let denied: Vec<String> = (statements(&t).into_iter())
        .filter(|(o, s)| o == "SiteBucketPolicy" && s["Effect"].as_str() == Some("Deny"))
        .flat_map(|(_, s)| strings(&s["Resource"]))
        .collect();
    assert_eq!(
        denied,
        ["${SiteBucket.Arn}/_source/*", "${SiteBucket.Arn}/_jobs/*"]
    );
}
