//! The DynamoDB table definition, read from the deployment template (`infra/template.yaml`,
//! resource `Table`): the one source of truth for keys, indexes and the TTL attribute, which
//! the local tests use to create their table.

use anyhow::{Context, Result, anyhow};
use serde_yaml::Value;

/// The project's deployment template.
pub const TEMPLATE: &str = include_str!("../../../infra/template.yaml");

/// One key attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPart {
    /// Attribute name.
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// A global secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// Its key.
    pub key: Vec<KeyPart>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection: String,
}

/// What the table is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    /// Attribute definitions: name and type (`S`, `N`, `B`).
    pub attributes: Vec<(String, String)>,
    /// Primary key.
    pub key: Vec<KeyPart>,
    /// Global secondary indexes.
    pub indexes: Vec<Index>,
    /// Attribute holding the expiry instant (epoch seconds).
    pub ttl_attribute: Option<String>,
}

fn text(v: &Value, field: &str) -> Result<String> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("`{field}` missing"))
}

fn key(v: &Value) -> Result<Vec<KeyPart>> {
    v.get("KeySchema")
        .and_then(Value::as_sequence)
        .context("`KeySchema` missing")?
        .iter()
        .map(|k| {
            Ok(KeyPart {
                name: text(k, "AttributeName")?,
                key_type: text(k, "KeyType")?,
            })
        })
        .collect()
}

impl TableDefinition {
    /// Reads the `Table` resource of a CloudFormation template.
    pub fn from_template(template: &str) -> Result<TableDefinition> {
        let doc: Value = serde_yaml::from_str(template).context("template is not YAML")?;
        let props = doc
            .get("Resources")
            .and_then(|r| r.get("Table"))
            .and_then(|t| t.get("Properties"))
            .context("template has no Resources.Table.Properties")?;
        let attributes = props
            .get("AttributeDefinitions")
            .and_then(Value::as_sequence)
            .context("`AttributeDefinitions` missing")?
            .iter()
            .map(|a| Ok((text(a, "AttributeName")?, text(a, "AttributeType")?)))
            .collect::<Result<_>>()?;
        let indexes = props
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .map(|seq| {
                seq.iter()
                    .map(|i| {
                        Ok(Index {
                            name: text(i, "IndexName")?,
                            key: key(i)?,
                            projection: i
                                .get("Projection")
                                .map(|p| text(p, "ProjectionType"))
                                .transpose()?
                                .unwrap_or_else(|| "KEYS_ONLY".into()),
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let ttl_attribute = props
            .get("TimeToLiveSpecification")
            .map(|t| text(t, "AttributeName"))
            .transpose()?;
        Ok(TableDefinition {
            attributes,
            key: key(props)?,
            indexes,
            ttl_attribute,
        })
    }

    /// The definition of the project's table.
    pub fn project() -> TableDefinition {
        Self::from_template(TEMPLATE).expect("infra/template.yaml defines the table")
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyPart, TableDefinition};

    #[test]
    fn reads_keys_index_and_ttl_from_the_template() {
        let t = TableDefinition::project();
        assert_eq!(
            t.key[0],
            KeyPart {
                name: "pk".into(),
                key_type: "HASH".into()
            }
        );
        assert_eq!(t.key[1].name, "sk");
        assert_eq!(t.indexes[0].name, "gsi1");
        assert_eq!(t.ttl_attribute.as_deref(), Some("expires_at"));
        assert!(t.attributes.iter().all(|(_, ty)| ty == "S"));
    }
}
