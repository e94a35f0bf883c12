import Foundation

/// Renders sync requests for people (an aligned table with a count per status, like Canvas's
/// Monitoring & Reporting page) or for scripts (JSON).
public enum StatusTable {
    public static func text(requests: [SyncRequestSummary], counts: [SyncRequestStatus: Int]) -> String {
        var lines: [String] = []
        let tally = SyncRequestStatus.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: "  ")
        lines.append(tally)
        guard !requests.isEmpty else {
            lines.append("no sync requests match")
            return lines.joined(separator: "\n") + "\n"
        }
        let header = ["RUN", "REQUEST", "TIME", "COURSE", "SECTION", "STATUS", "SENT", "ERRORS", "NOT POSTED", "OUTSIDE WINDOW"]
        let rows = requests.map { r in
            [
                r.runID, r.id, r.updatedAt, r.courseSISID ?? "(canvas \(r.canvasCourseID))", r.sectionSISID, r.status.rawValue, String(r.resultsSent), String(r.errors),
                String(r.notPosted), String(r.outsideWindow),
            ]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(requests: [SyncRequestSummary], counts: [SyncRequestStatus: Int]) throws -> String {
        struct Document: Encodable {
            var counts: [String: Int]
            var requests: [SyncRequestSummary]
        }
        let document = Document(
            counts: Dictionary(uniqueKeysWithValues: SyncRequestStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            requests: requests
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
