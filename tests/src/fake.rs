//! Randomized queries against the fake server (`didit-mock`): values drawn
//! from the fake's own data, so that filters match some rows and miss
//! others.

use didit::types::SessionKindFilter;
use didit::{NaiveDate, SessionStatus, Uuid};
use std::collections::BTreeSet;

use didit_mock::{ListQuery, Store};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::Spec;
use crate::typed;
use crate::wire::{Filter, spec_parameters};

/// One listing: the kind, the paging and the filters.
#[derive(Clone, Debug)]
pub struct Query {
    /// `session_kind`.
    pub kind: SessionKindFilter,
    /// `limit`: the page size.
    pub limit: u32,
    /// `offset`: where the listing starts.
    pub offset: u64,
    /// The other parameters.
    pub filters: Vec<Filter>,
}

impl Query {
    /// Every parameter, kind and paging included.
    pub fn all_filters(&self) -> Vec<Filter> {
        let mut all = vec![
            Filter::SessionKind(self.kind),
            Filter::Limit(self.limit),
            Filter::Offset(self.offset),
        ];
        all.extend(self.filters.iter().cloned());
        all
    }

    /// The query as the fake reads it, built from the spec's encoding of each
    /// value (not from the facade's), for filtering the fake's data directly.
    pub fn to_list_query(&self) -> ListQuery {
        let pairs: Vec<(&str, String)> = self
            .all_filters()
            .iter()
            .map(|filter| (filter.name(), filter.expected_wire_value()))
            .collect();
        ListQuery::from_pairs(pairs).expect("well-formed values parse")
    }
}

fn pick<T: Clone + std::fmt::Debug + 'static>(values: Vec<T>, fallback: T) -> BoxedStrategy<T> {
    if values.is_empty() {
        Just(fallback).boxed()
    } else {
        proptest::sample::select(values).boxed()
    }
}

/// A few values of a list parameter: mostly from the data, sometimes one the
/// data does not have (which matches nothing, without error).
fn some_of(values: Vec<String>) -> BoxedStrategy<Vec<String>> {
    let known = pick(values, "none".to_owned());
    let value = prop_oneof![4 => known, 1 => "[A-Z]{2,4}"];
    proptest::collection::vec(value, 1..3).boxed()
}

fn distinct<T: Ord + Clone>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let set: std::collections::BTreeSet<T> = values.into_iter().collect();
    set.into_iter().collect()
}

/// One strategy per filter parameter (all but the kind and the paging),
/// with values the data of `store` holds.
fn filter_candidates(store: &Store) -> Vec<BoxedStrategy<Filter>> {
    let kyc = store.kyc();
    let kyb = store.kyb();
    let statuses = distinct(
        kyc.iter()
            .filter_map(|r| r.row.status.clone())
            .chain(kyb.iter().filter_map(|r| r.row.status.clone())),
    );
    let countries = distinct(
        kyc.iter()
            .filter_map(|r| r.row.country.clone().flatten())
            .chain(kyb.iter().filter_map(|r| r.row.country.clone().flatten())),
    );
    let vendor_data = distinct(
        kyc.iter()
            .filter_map(|r| r.row.vendor_data.clone().flatten())
            .chain(
                kyb.iter()
                    .filter_map(|r| r.row.vendor_data.clone().flatten()),
            ),
    );
    let searches = distinct(
        kyc.iter()
            .flat_map(|r| {
                let name = r.row.full_name.clone().flatten();
                let first_word =
                    name.and_then(|name| name.split_whitespace().next().map(str::to_owned));
                let number = r.row.session_number.map(|n| n.to_string());
                let email = r.row.email_address.clone().flatten().and_then(|e| e.email);
                let email_start = email.and_then(|email| {
                    let at = email.find('@')?;
                    Some(email[..(at + 3).min(email.len())].to_owned())
                });
                [first_word, number, email_start]
            })
            .flatten(),
    );
    let workflows = distinct(
        kyc.iter()
            .filter_map(|r| r.facts.workflow_id)
            .chain(kyb.iter().filter_map(|r| r.row.workflow_id.flatten())),
    );
    let days: Vec<NaiveDate> = distinct(
        kyc.iter()
            .filter_map(|r| r.row.created_at.as_ref())
            .chain(kyb.iter().filter_map(|r| r.row.created_at.as_ref()))
            .map(|at| at.as_datetime().date_naive()),
    );
    let document_codes = distinct(kyc.iter().filter_map(|r| r.facts.document_code.clone()));
    let document_names = distinct(kyc.iter().filter_map(|r| r.facts.document_name.clone()))
        .into_iter()
        .filter(|name| !name.contains(','))
        .collect();
    let regions = distinct(kyc.iter().filter_map(|r| r.facts.region.clone()));
    let people: Vec<Uuid> = distinct(kyc.iter().filter_map(|r| r.row.didit_internal_id.flatten()));
    let session_types = distinct(kyc.iter().filter_map(|r| r.facts.session_type.clone()));
    let services = distinct(kyc.iter().filter_map(|r| r.facts.api_service));
    let screened = distinct(kyc.iter().filter_map(|r| r.facts.aml_screened_name.clone()));
    let warnings = distinct(
        kyc.iter()
            .flat_map(|r| r.facts.warnings.clone())
            .chain(kyb.iter().flat_map(|r| r.facts.warnings.clone())),
    );
    let end_users: Vec<Uuid> = distinct(kyc.iter().filter_map(|r| r.facts.euuid));
    let organization = store.organization_name().to_owned();
    let any_day = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");

    vec![
        proptest::collection::vec(
            prop_oneof![4 => pick(statuses, SessionStatus::Approved), 1 => typed::open_enum(SessionStatus::KNOWN, typed::Unknowns::Sometimes)],
            1..3,
        )
        .prop_map(Filter::Status)
        .boxed(),
        pick(vendor_data, "nobody".to_owned()).prop_map(Filter::VendorData).boxed(),
        pick(searches, "Jane".to_owned()).prop_map(Filter::Search).boxed(),
        proptest::collection::vec(pick(workflows, Uuid::nil()), 1..3).prop_map(Filter::WorkflowId).boxed(),
        pick(days.clone(), any_day).prop_map(Filter::DateFrom).boxed(),
        pick(days, any_day).prop_map(Filter::DateTo).boxed(),
        some_of(countries).prop_map(Filter::Country).boxed(),
        some_of(document_codes).prop_map(Filter::DocumentType).boxed(),
        some_of(document_names).prop_map(Filter::DocumentName).boxed(),
        some_of(regions).prop_map(Filter::Region).boxed(),
        pick(people, Uuid::nil()).prop_map(Filter::DiditInternalId).boxed(),
        some_of(session_types).prop_map(Filter::SessionType).boxed(),
        prop_oneof![pick(services, didit::ApiService::Aml), typed::api_service()].prop_map(Filter::ApiService).boxed(),
        pick(screened, "Jane".to_owned()).prop_map(Filter::ScreenedFullName).boxed(),
        some_of(warnings).prop_map(Filter::Warning).boxed(),
        any::<bool>().prop_map(Filter::StatusInitializedAsInReview).boxed(),
        any::<bool>().prop_map(Filter::IsKycToBeReviewed).boxed(),
        pick(end_users, Uuid::nil()).prop_map(Filter::Euuid).boxed(),
        some_of(vec![organization]).prop_map(Filter::OrganizationName).boxed(),
    ]
}

/// Queries over `store`: any kind, small to large pages, an offset now and
/// then, and up to three filters with values the data holds.
pub fn queries(store: &std::sync::Arc<Store>) -> BoxedStrategy<Query> {
    let candidates = filter_candidates(store);
    let chosen = proptest::sample::subsequence((0..candidates.len()).collect::<Vec<_>>(), 0..=3);
    let filters = chosen.prop_flat_map(move |indices| {
        indices
            .into_iter()
            .map(|index| candidates[index].clone())
            .collect::<Vec<_>>()
    });
    let limit = prop_oneof![1 => 1u32..=5, 3 => 10u32..=100];
    let offset = prop_oneof![4 => Just(0u64), 1 => 0u64..=30];
    let store = store.clone();
    (typed::session_kind_filter(), limit, offset, filters)
        .prop_map(move |(kind, limit, offset, filters)| {
            let mut query = Query {
                kind,
                limit,
                offset,
                filters,
            };
            // Small pages over many rows would make one case hundreds of
            // requests: raise the page size to keep each walk short.
            let matching = store.filter(&query.to_list_query()).len() as u64;
            let fewest = matching.div_ceil(MAX_PAGES).try_into().unwrap_or(u32::MAX);
            query.limit = query.limit.max(fewest);
            query
        })
        .boxed()
}

/// Most pages one generated query walks through.
pub const MAX_PAGES: u64 = 12;

/// The query parameters [`queries`] sets: the kind and paging of every
/// query, and the parameter of each filter it chooses from.
pub fn generated_parameters(store: &std::sync::Arc<Store>) -> BTreeSet<&'static str> {
    let mut runner = TestRunner::deterministic();
    let mut names = BTreeSet::new();
    for candidate in filter_candidates(store) {
        if let Ok(value) = candidate.new_tree(&mut runner) {
            names.insert(value.current().name());
        }
    }
    if let Ok(query) = queries(store).new_tree(&mut runner) {
        names.extend(query.current().all_filters().iter().map(Filter::name));
    }
    names
}

/// Where the parameters `generated` and the spec's query parameters
/// differ, one line each.
pub fn generated_parameters_out_of_step(spec: &Spec, generated: &BTreeSet<&str>) -> Vec<String> {
    let in_spec = spec_parameters(spec);
    let missing = in_spec
        .keys()
        .filter(|name| !generated.contains(name.as_str()))
        .map(|name| {
            format!(
                "the queries against the fake never set the spec's query parameter `{name}` \
                 (add a candidate for it in didit_contract::fake)"
            )
        });
    let extra = generated
        .iter()
        .filter(|name| !in_spec.contains_key(**name))
        .map(|name| {
            format!("the queries against the fake set `{name}`, which the spec does not have")
        });
    missing.chain(extra).collect()
}

/// One step of a session's life, sent to the fake. Bodies are drawn from the
/// spec's request schemas; `target` picks one of the sessions known so far
/// (modulo their number), so steps also hit deleted and unknown sessions.
#[derive(Clone, Debug)]
pub enum LifecycleStep {
    /// `POST /v3/session/` with this body.
    Create(serde_json::Value),
    /// Moves a session on through the fake's control endpoint.
    Finish {
        /// Which known session.
        target: usize,
        /// The status it reaches.
        status: SessionStatus,
    },
    /// `GET …/decision/`, with `include=events` when `events`.
    Decision {
        /// Which known session.
        target: usize,
        /// Whether to ask for the console's form.
        events: bool,
    },
    /// `PATCH …/update-status/` with this body.
    UpdateStatus {
        /// Which known session.
        target: usize,
        /// The request body.
        body: serde_json::Value,
    },
    /// `DELETE …/delete/`.
    Delete {
        /// Which known session.
        target: usize,
    },
    /// `POST /v3/sessions/delete/` with this body.
    DeleteMany(serde_json::Value),
    /// `GET …/generate-pdf/`.
    Pdf {
        /// Which known session.
        target: usize,
    },
    /// `GET /v3/sessions/{id}/reviews/` with this query (`?…` or empty).
    Reviews {
        /// Which known session.
        target: usize,
        /// The query string.
        query: String,
    },
    /// `POST /v3/sessions/{id}/reviews/` with this body.
    AddReview {
        /// Which known session.
        target: usize,
        /// The request body.
        body: serde_json::Value,
    },
    /// `POST /v3/session/imports/` with this JSON body (an import from an
    /// address).
    Import(serde_json::Value),
    /// `GET /v3/session/imports/{id}/`, or its `errors/` when `errors`.
    ReadImport {
        /// Which known import job (one never created among them).
        target: usize,
        /// Whether to read the rows it refused instead of the job.
        errors: bool,
    },
    /// A correction after a review (`PATCH`), one of [`CORRECTIONS`].
    Correct {
        /// Which known session.
        target: usize,
        /// The operation's id.
        operation: &'static str,
        /// Which of [`STEP_NODES`] a step status change names.
        node: usize,
        /// The request body.
        body: serde_json::Value,
    },
}

/// The corrections after a review, and the schema of each one's body.
pub const CORRECTIONS: &[(&str, &str)] = &[
    ("update_document_data", "UpdateDocumentDataRequest"),
    ("update_poa_data", "UpdatePoaDataRequest"),
    ("update_company_data", "UpdateCompanyDataRequest"),
    ("update_feature_status", "UpdateFeatureStatusRequest"),
    ("update_aml_hit_status", "UpdateAmlHitStatusRequest"),
    ("update_aml_hit_statuses", "UpdateAmlHitStatusesRequest"),
];

/// Workflow nodes the step status changes name: steps of the fake's
/// workflows, and one no session has.
pub const STEP_NODES: &[&str] = &[
    "feature_id_verification",
    "feature_aml",
    "feature_poa",
    "feature_kyb_registry",
    "feature_missing",
];

/// Sequences of lifecycle steps whose bodies are valid per `spec`'s request
/// schemas. Bulk deletes never say `delete_all`, which would end the story
/// early; the fake's tests cover it.
pub fn lifecycle_steps(spec: &Spec) -> BoxedStrategy<Vec<LifecycleStep>> {
    let generator =
        crate::generate::Generator::new(&spec.json, crate::generate::Options::DOCUMENTED);
    let create = generator
        .strategy_at("/components/schemas/CreateSessionRequest")
        .prop_map(LifecycleStep::Create);
    let update = (
        any::<usize>(),
        generator.strategy_at("/components/schemas/UpdateSessionStatusRequest"),
    )
        .prop_map(|(target, body)| LifecycleStep::UpdateStatus { target, body });
    let delete_many = generator
        .strategy_at("/components/schemas/DeleteSessionsRequest")
        .prop_map(|mut body| {
            if let Some(object) = body.as_object_mut() {
                object.remove("delete_all");
            }
            LifecycleStep::DeleteMany(body)
        });
    let add_review = (
        any::<usize>(),
        generator.strategy_at("/components/schemas/CreateReviewRequest"),
    )
        .prop_map(|(target, body)| LifecycleStep::AddReview { target, body });
    let review_query = (
        proptest::option::of(1u32..4),
        proptest::option::of(0u64..4),
        proptest::option::of(proptest::sample::select(vec![
            "created_at",
            "-created_at",
            "comment",
            "-new_status",
            "no_such_property",
        ])),
    )
        .prop_map(|(limit, offset, ordering)| {
            let pairs: Vec<String> = [
                limit.map(|limit| format!("limit={limit}")),
                offset.map(|offset| format!("offset={offset}")),
                ordering.map(|ordering| format!("ordering={ordering}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if pairs.is_empty() {
                String::new()
            } else {
                format!("?{}", pairs.join("&"))
            }
        });
    let reviews = (any::<usize>(), review_query)
        .prop_map(|(target, query)| LifecycleStep::Reviews { target, query });
    let corrections: Vec<BoxedStrategy<LifecycleStep>> = CORRECTIONS
        .iter()
        .map(|(operation, schema)| {
            (
                any::<usize>(),
                any::<usize>(),
                generator.strategy_at(&format!("/components/schemas/{schema}")),
            )
                .prop_map(|(target, node, body)| LifecycleStep::Correct {
                    target,
                    operation,
                    node,
                    body,
                })
                .boxed()
        })
        .collect();
    let correct = proptest::strategy::Union::new(corrections);
    let import = generator
        .strategy_at("/components/schemas/CreateSessionImportRequest")
        .prop_map(LifecycleStep::Import);
    let status = proptest::sample::select(SessionStatus::KNOWN.to_vec());
    let step = prop_oneof![
        3 => create,
        3 => (any::<usize>(), status).prop_map(|(target, status)| LifecycleStep::Finish { target, status }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(target, events)| LifecycleStep::Decision { target, events }),
        3 => update,
        1 => any::<usize>().prop_map(|target| LifecycleStep::Delete { target }),
        1 => delete_many,
        2 => any::<usize>().prop_map(|target| LifecycleStep::Pdf { target }),
        2 => reviews,
        2 => add_review,
        3 => correct,
        1 => import,
        2 => (any::<usize>(), any::<bool>()).prop_map(|(target, errors)| LifecycleStep::ReadImport { target, errors }),
    ];
    proptest::collection::vec(step, 1..12).boxed()
}
