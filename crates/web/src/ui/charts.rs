//! Charts rendered on the server as SVG (no JavaScript, no CDN).

use domain::competency::SkillGap;
use std::fmt::Write;

/// Escapes text for SVG/XML content and attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A radar chart of required (outline) against current (filled) levels; unassessed skills
/// are marked with a hollow point at the centre. Needs at least three skills.
pub fn skill_radar(gaps: &[SkillGap], required_label: &str, current_label: &str) -> Option<String> {
    let n = gaps.len();
    if n < 3 {
        return None;
    }
    let max = gaps
        .iter()
        .map(|g| g.required_level.max(g.current_level.unwrap_or(0)))
        .max()
        .unwrap_or(3)
        .max(1) as f64;
    let (cx, cy, r) = (240.0, 170.0, 110.0);
    let point = |i: usize, level: f64| {
        let angle = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
        (
            cx + r * level / max * angle.cos(),
            cy + r * level / max * angle.sin(),
        )
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 360" class="radar" role="img" aria-label="{}">"#,
        esc(required_label)
    );
    for ring in 1..=max as usize {
        let pts: Vec<String> = (0..n)
            .map(|i| point(i, ring as f64))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            svg,
            r##"<polygon points="{}" fill="none" stroke="#dde3ea"/>"##,
            pts.join(" ")
        );
    }
    for (i, g) in gaps.iter().enumerate() {
        let (x, y) = point(i, max);
        let _ = write!(
            svg,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#dde3ea"/>"##
        );
        let (lx, ly) = point(i, max * 1.18);
        let anchor = if (lx - cx).abs() < 5.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            svg,
            r##"<text x="{lx:.1}" y="{ly:.1}" font-size="12" text-anchor="{anchor}" dominant-baseline="middle" fill="#1d2733">{}</text>"##,
            esc(&g.skill_name)
        );
    }
    let polygon = |levels: Vec<f64>| {
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| point(i, *l))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let required = polygon(gaps.iter().map(|g| f64::from(g.required_level)).collect());
    let current = polygon(
        gaps.iter()
            .map(|g| f64::from(g.current_level.unwrap_or(0)))
            .collect(),
    );
    let _ = write!(
        svg,
        r##"<polygon points="{required}" fill="none" stroke="#b3261e" stroke-width="2" stroke-dasharray="5 3"/>"##
    );
    let _ = write!(
        svg,
        r##"<polygon points="{current}" fill="#1f5fa8" fill-opacity="0.25" stroke="#1f5fa8" stroke-width="2"/>"##
    );
    for (i, g) in gaps.iter().enumerate() {
        if g.current_level.is_none() {
            let (x, y) = point(i, 0.35);
            let _ = write!(
                svg,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="#fff" stroke="#66727f"/>"##
            );
        }
    }
    let _ = write!(
        svg,
        r##"<g font-size="12"><line x1="20" y1="345" x2="44" y2="345" stroke="#b3261e" stroke-width="2" stroke-dasharray="5 3"/><text x="50" y="349">{}</text><rect x="150" y="339" width="24" height="12" fill="#1f5fa8" fill-opacity="0.25" stroke="#1f5fa8"/><text x="180" y="349">{}</text></g></svg>"##,
        esc(required_label),
        esc(current_label)
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::competency::Tier;

    fn gap(name: &str, required: i32, current: Option<i32>) -> SkillGap {
        SkillGap {
            skill_code: name.into(),
            skill_name: name.into(),
            area: "a".into(),
            required_level: required,
            current_level: current,
            tier: Tier::Core,
            assessed_on: None,
            method: None,
            kpi_shortfall: None,
        }
    }

    #[test]
    fn radar_escapes_labels_and_marks_unassessed() {
        let svg = skill_radar(
            &[
                gap("<b>", 2, Some(1)),
                gap("b", 3, None),
                gap("c", 2, Some(2)),
            ],
            "要求",
            "当前",
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert_eq!(svg.matches("<circle").count(), 1, "one unassessed skill");
        assert!(skill_radar(&[gap("a", 1, None)], "x", "y").is_none());
    }
}
