import Foundation

/// The last runs as three small bar charts, one above the other, each on its own scale: grades
/// sent, error rows and rejected files. Drawn by the project as inline SVG (no script, no font or
/// file fetched) so it shows the same in a mail client, a browser and on paper.
///
/// Only numbers and the project's own run ids and dates reach the drawing; every value is also
/// in the table beside it, so neither colour nor the drawing is the only way to read it.
struct TrendChart: Sendable {
    /// One run, oldest first.
    struct Point: Sendable {
        var runID: String
        var date: String
        var shortDate: String
        var sent: Int
        var errors: Int
        /// `nil` for a run recorded before the ledger kept its files.
        var rejected: Int?
        var isCurrent: Bool
        /// The run's page is there to link to (not yet written, or pruned, it is not).
        var hasPage = true
    }

    static let slots = 30
    static let width = 760
    private static let left = 84
    private static let right = 12
    private static let panelHeight = 116
    private static let barTop = 26
    private static let barHeight = 72

    let points: [Point]

    init(points: [Point]) {
        self.points = Array(points.suffix(Self.slots))
    }

    private struct Series: Sendable {
        var title: String
        /// What one of the values counts, in the singular and the plural.
        var singular: String
        var plural: String
        var style: String
        var value: @Sendable (Point) -> Int?
    }

    private static let series = [
        Series(title: "Grades sent", singular: "grade sent", plural: "grades sent", style: "sent", value: { $0.sent }),
        Series(title: "Errors", singular: "error row", plural: "error rows", style: "errors", value: { $0.errors }),
        Series(title: "Rejected files", singular: "file rejected", plural: "files rejected", style: "rejected", value: { $0.rejected }),
    ]

    var height: Int { Self.series.count * Self.panelHeight + 22 }

    /// What the template draws: per panel its title, scale and bars, all positions precomputed.
    func templateValues() -> [String: Any] {
        let slotWidth = Double(Self.width - Self.left - Self.right) / Double(Self.slots)
        let barWidth = max(2, slotWidth * 0.7)
        // Newest run at the right end, whatever the number of runs.
        let firstSlot = Self.slots - points.count
        func x(_ index: Int) -> Double { Double(Self.left) + Double(firstSlot + index) * slotWidth + (slotWidth - barWidth) / 2 }
        var panels: [[String: Any]] = []
        for (number, series) in Self.series.enumerated() {
            let top = number * Self.panelHeight
            let values = points.map(series.value)
            let maximum = values.compactMap { $0 }.max() ?? 0
            let base = top + Self.barTop + Self.barHeight
            var bars: [[String: Any]] = []
            for (index, point) in points.enumerated() {
                guard let value = values[index] else { continue }
                let height = maximum > 0 ? Double(Self.barHeight) * Double(value) / Double(maximum) : 0
                let shown = value > 0 ? max(1.5, height) : 0
                bars.append([
                    "x": Self.coordinate(x(index)), "y": Self.coordinate(Double(base) - shown),
                    "w": Self.coordinate(barWidth), "h": Self.coordinate(shown),
                    "current": point.isCurrent,
                    "label": "\(point.date), run \(point.runID): \(StaffPageFormat.count(value, series.singular, series.plural))",
                ])
            }
            let latest = points.last.flatMap(series.value)
            panels.append([
                "title": series.title,
                "style": series.style,
                "titleY": top + 16,
                "latest": latest.map { StaffPageFormat.number($0) + " in the latest run" } ?? "not recorded in the latest run",
                "scaleTop": StaffPageFormat.number(maximum),
                "scaleTopY": top + Self.barTop + 10,
                "scaleBaseY": base,
                "baseY": base,
                "axisLeft": Self.left - 4,
                "axisRight": Self.width - Self.right,
                "bars": bars,
            ])
        }
        let axisY = Self.series.count * Self.panelHeight + 12
        var ticks: [[String: Any]] = []
        // The oldest and the newest run's dates under the bars, the oldest only when the two
        // cannot overlap.
        if points.count >= 6, let first = points.first {
            ticks.append(["x": Self.coordinate(x(0)), "text": first.shortDate, "anchor": "start"])
        }
        if let last = points.last {
            ticks.append(["x": Self.coordinate(x(points.count - 1) + barWidth), "text": last.shortDate, "anchor": "end"])
        }
        return [
            "chartWidth": Self.width,
            "chartHeight": height,
            "panels": panels,
            "ticks": ticks,
            "axisY": axisY,
            "summary": summary,
            "trendRows": points.reversed().map { point -> [String: Any] in
                [
                    "runID": point.runID, "date": point.date, "sent": StaffPageFormat.number(point.sent),
                    "errors": StaffPageFormat.number(point.errors),
                    "rejected": point.rejected.map(StaffPageFormat.number) ?? "not recorded",
                    "href": point.runID + ".html", "hasPage": point.hasPage,
                ]
            },
        ]
    }

    /// One sentence that says what the chart shows, for screen readers and as its caption.
    var summary: String {
        guard let last = points.last else { return "No runs yet." }
        var text =
            "The last \(StaffPageFormat.count(points.count, "run")), oldest on the left. The newest, \(last.date): \(StaffPageFormat.count(last.sent, "grade")) sent, \(StaffPageFormat.count(last.errors, "error row")), "
        text += last.rejected.map { StaffPageFormat.count($0, "file") + " rejected" } ?? "rejected files not recorded"
        if points.count > 1 {
            let previous = points[points.count - 2]
            let change = last.errors - previous.errors
            text +=
                change == 0
                ? "; errors as many as the run before."
                : change < 0 ? "; \(StaffPageFormat.number(-change)) fewer errors than the run before." : "; \(StaffPageFormat.number(change)) more errors than the run before."
        } else {
            text += "."
        }
        return text
    }

    /// A coordinate with at most one decimal.
    private static func coordinate(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(abs(tenths % 10))"
    }
}
