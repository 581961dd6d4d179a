//! The ageing chart: what a customer owes by age as a server-rendered SVG bar
//! chart, readable without JavaScript, with its figures as text beside it
//! (the chart's own `<title>` and `<desc>` name every bucket and amount).

use portico_data::{Ageing, BUCKETS};
use portico_domain::money;
use portico_web::Ui;
use rust_decimal::prelude::ToPrimitive;

/// The message ids of the buckets' names, in order.
pub(crate) const BUCKET_LABELS: [&str; BUCKETS] = [
    "customer-ageing-current",
    "customer-ageing-1-30",
    "customer-ageing-31-60",
    "customer-ageing-61-90",
    "customer-ageing-over-90",
];

/// `text` safe inside SVG text and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: u32 = 560;
const LABEL: u32 = 150;
const ROW: u32 = 30;
const BAR: u32 = 18;
const VALUE: u32 = 130;

/// The chart of one currency's ageing: one horizontal bar per bucket, as long
/// as its share of the largest; a credit (negative) bucket has no bar and its
/// amount is shown like the others.
pub(crate) fn chart(ui: &Ui, ageing: &Ageing, id: &str) -> String {
    let largest = ageing
        .buckets
        .iter()
        .copied()
        .filter(|b| b.is_sign_positive())
        .max()
        .unwrap_or_default();
    let labels: Vec<String> = BUCKET_LABELS.iter().map(|l| ui.lang.t(l)).collect();
    let title = escape(&ui.lang.t_args(
        "customer-ageing-chart-title",
        &[("currency", ageing.currency.clone().into())],
    ));
    let desc = labels
        .iter()
        .zip(ageing.buckets.iter())
        .map(|(label, value)| format!("{label}: {} {}", money::display(*value), ageing.currency))
        .collect::<Vec<_>>()
        .join("; ");
    let span = WIDTH - LABEL - VALUE;
    let height = ROW * u32::try_from(BUCKETS).unwrap_or(5) + 4;
    let mut svg = format!(
        "<svg class=\"ageing-chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(&desc)
    );
    for (n, (label, value)) in labels.iter().zip(ageing.buckets.iter()).enumerate() {
        let y = ROW * u32::try_from(n).unwrap_or(0) + 2;
        let share = if largest.is_zero() || !value.is_sign_positive() {
            0
        } else {
            // The bar's length in whole units: exact decimal division, then rounded.
            (*value * money::Dec::from(span) / largest)
                .round()
                .to_u32()
                .unwrap_or(0)
        };
        let class = if n == 0 { "bar current" } else { "bar late" };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"label\">{}</text>\
             <rect class=\"{class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{share}\" height=\"{BAR}\" rx=\"2\"/>\
             <text x=\"{}\" y=\"{}\" class=\"value\" text-anchor=\"end\">{}</text>",
            y + 14,
            escape(label),
            WIDTH,
            y + 14,
            escape(&money::display(*value)),
        ));
    }
    svg.push_str("</svg>");
    svg
}
