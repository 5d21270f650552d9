//! Cutting a page out of the matching rows, its links, and its JSON.

use std::collections::BTreeMap;
use std::io::Write;

use didit_api::types::SessionKindFilter;
use url::form_urlencoded;

use crate::query::ListQuery;
use crate::store::{Hits, Store};

/// The most the API reports as `count` for KYB rows (it counts them with a
/// bounded scan).
pub const KYB_COUNT_CAP: u64 = 100;

/// Where one page starts and ends, and where its neighbours are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) count: u64,
    pub(crate) kyc: std::ops::Range<usize>,
    pub(crate) kyb: std::ops::Range<usize>,
    pub(crate) limit: u64,
    /// Offset of the next page, if there is one.
    pub(crate) next: Option<u64>,
    /// The previous page: `None` on the first page, `Some(None)` when it
    /// starts at the top (its URL has no `offset`), `Some(Some(o))` otherwise.
    pub(crate) previous: Option<Option<u64>>,
}

fn window(len: usize, offset: u64, limit: u64) -> std::ops::Range<usize> {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX));
    start..end.min(len)
}

/// Plans the page of `hits` that `query` asks for, with `limit` already
/// resolved (default applied, capped by the maximum).
pub(crate) fn plan(hits: &Hits, query: &ListQuery, limit: u64) -> Plan {
    let offset = query.offset;
    let kyc_total = hits.kyc.len() as u64;
    let kyb_total = hits.kyb.len() as u64;
    let kyb_count = kyb_total.min(KYB_COUNT_CAP);
    let end = offset.saturating_add(limit);
    let (count, more) = match query.session_kind {
        // The KYB count is capped, but `next` still says whether more rows
        // exist, so following it reaches every row.
        SessionKindFilter::Business => (kyb_count, end < kyb_total),
        // Links follow the KYC side.
        SessionKindFilter::All => (kyc_total + kyb_count, end < kyc_total),
        // `user`; the query parser makes no other kind.
        _ => (kyc_total, end < kyc_total),
    };
    let previous = previous_offset(offset, limit);
    Plan {
        count,
        kyc: window(hits.kyc.len(), offset, limit),
        kyb: window(hits.kyb.len(), offset, limit),
        limit,
        next: more.then_some(end),
        previous,
    }
}

/// Where the page before the one at `offset` starts, as [`Plan::previous`]
/// says it.
pub(crate) fn previous_offset(offset: u64, limit: u64) -> Option<Option<u64>> {
    if offset == 0 {
        None
    } else if offset <= limit {
        Some(None)
    } else {
        Some(Some(offset - limit))
    }
}

/// The URL of a neighbouring page: the request's own URL with `limit` set and
/// `offset` set or removed, parameters sorted by name (as Django REST
/// Framework writes them).
pub(crate) fn link(base: &str, query: &str, limit: u64, offset: Option<u64>) -> String {
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        params
            .entry(name.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    params.insert("limit".to_owned(), vec![limit.to_string()]);
    match offset {
        Some(offset) => {
            params.insert("offset".to_owned(), vec![offset.to_string()]);
        }
        None => {
            params.remove("offset");
        }
    }
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, values) in &params {
        for value in values {
            serializer.append_pair(name, value);
        }
    }
    format!("{base}?{}", serializer.finish())
}

/// The links of a planned page, for a request to `base` with `query`.
pub(crate) fn links(plan: &Plan, base: &str, query: &str) -> (Option<String>, Option<String>) {
    let next = plan
        .next
        .map(|offset| link(base, query, plan.limit, Some(offset)));
    let previous = plan
        .previous
        .map(|offset| link(base, query, plan.limit, offset));
    (next, previous)
}

/// Writes the page's JSON straight from the store's rows.
pub(crate) fn write_page(
    store: &Store,
    hits: &Hits,
    plan: &Plan,
    next: Option<&str>,
    previous: Option<&str>,
) -> Vec<u8> {
    let rows = plan.kyc.len() + plan.kyb.len();
    let mut out = Vec::with_capacity(256 + rows * 1100);
    let mut head = || -> Result<(), serde_json::Error> {
        write!(out, "{{\"count\":{},\"next\":", plan.count).map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut out, &next)?;
        out.extend_from_slice(b",\"previous\":");
        serde_json::to_writer(&mut out, &previous)?;
        out.extend_from_slice(b",\"results\":[");
        Ok(())
    };
    head().expect("links serialize to JSON");
    let kyc = hits.kyc[plan.kyc.clone()]
        .iter()
        .map(|&i| store.kyc_json(i as usize));
    let kyb = hits.kyb[plan.kyb.clone()]
        .iter()
        .map(|&i| store.kyb_json(i as usize));
    for (n, row) in kyc.chain(kyb).enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(row);
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(kyc: u32, kyb: u32) -> Hits {
        Hits {
            kyc: (0..kyc).collect(),
            kyb: (0..kyb).collect(),
        }
    }

    fn query(kind: &str, offset: u64) -> ListQuery {
        let mut query = ListQuery::parse(&format!("session_kind={kind}")).unwrap();
        query.offset = offset;
        query
    }

    #[test]
    fn first_middle_and_last_pages() {
        let first = plan(&hits(25, 0), &query("user", 0), 10);
        assert_eq!((first.count, first.kyc.clone()), (25, 0..10));
        assert_eq!((first.next, first.previous), (Some(10), None));
        let middle = plan(&hits(25, 0), &query("user", 10), 10);
        assert_eq!((middle.next, middle.previous), (Some(20), Some(None)));
        let last = plan(&hits(25, 0), &query("user", 20), 10);
        assert_eq!((last.kyc.clone(), last.next), (20..25, None));
        assert_eq!(last.previous, Some(Some(10)));
        let beyond = plan(&hits(25, 0), &query("user", 40), 10);
        assert_eq!((beyond.kyc.len(), beyond.next), (0, None));
    }

    #[test]
    fn kyb_count_is_capped_but_next_goes_on() {
        let page = plan(&hits(0, 250), &query("business", 100), 50);
        assert_eq!(page.count, 100);
        assert_eq!(page.next, Some(150));
    }

    #[test]
    fn mixed_pages_follow_the_kyc_side() {
        let page = plan(&hits(5, 30), &query("all", 0), 10);
        assert_eq!(page.count, 35);
        assert_eq!((page.kyc.clone(), page.kyb.clone()), (0..5, 0..10));
        assert_eq!(page.next, None);
    }

    #[test]
    fn links_sort_parameters_and_keep_filters() {
        let url = link(
            "http://h/v3/sessions/",
            "status=Approved,In%20Review&offset=4&country=ESP",
            2,
            Some(6),
        );
        assert_eq!(
            url,
            "http://h/v3/sessions/?country=ESP&limit=2&offset=6&status=Approved%2CIn+Review"
        );
        assert_eq!(
            link("http://h/v3/sessions/", "offset=4", 2, None),
            "http://h/v3/sessions/?limit=2"
        );
    }
}
