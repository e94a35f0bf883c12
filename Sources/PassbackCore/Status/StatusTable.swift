import Foundation

/// Renders sync requests for people (an aligned table with a count per status, like Canvas's
/// Monitoring & Reporting page) or for scripts (JSON).
///
/// Times are shown in the school's zone (``SchoolTime``); JSON keeps the ledger's UTC for scripts.
/// With a search, the files runs rejected whose names match follow the requests.
public enum StatusTable {
    public static func text(requests: [SyncRequestSummary], counts: [SyncRequestStatus: Int], rejectedFiles: [RejectedFile]? = nil, time: SchoolTime) -> String {
        var lines: [String] = []
        let tally = SyncRequestStatus.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: "  ")
        lines.append(tally)
        if requests.isEmpty {
            lines.append("no sync requests match")
        } else {
            let header = ["RUN", "REQUEST", "TIME", "COURSE", "SECTION", "STATUS", "SENT", "ERRORS", "NOT POSTED", "OUTSIDE WINDOW"]
            let rows = requests.map { r in
                [
                    r.runID, r.id, time.format(stored: r.updatedAt), r.courseSISID ?? "(canvas \(r.canvasCourseID))", r.sectionSISID, r.status.rawValue, String(r.resultsSent),
                    String(r.errors),
                    String(r.notPosted), String(r.outsideWindow),
                ]
            }
            lines += aligned(header, rows)
        }
        if let rejectedFiles {
            if rejectedFiles.isEmpty {
                lines.append("no rejected files match")
            } else {
                lines.append("rejected files: \(rejectedFiles.count)")
                lines += aligned(["RUN", "FILE", "RULE", "NOW IN"], rejectedFiles.map { [$0.runID, $0.file, $0.rule, $0.quarantinePath] })
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A table with a header, columns padded to their widest cell (the last one not padded).
    /// Cells are escaped for the terminal (``TerminalText``): a rejected file's name is the
    /// registrar's choice and may hold line breaks or ESC.
    static func aligned(_ header: [String], _ rawRows: [[String]]) -> [String] {
        let rows = rawRows.map { $0.map(TerminalText.escaping) }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    public static func json(requests: [SyncRequestSummary], counts: [SyncRequestStatus: Int], rejectedFiles: [RejectedFile]? = nil) throws -> String {
        struct Document: Encodable {
            var counts: [String: Int]
            var requests: [SyncRequestSummary]
            var rejectedFiles: [RejectedFile]?

            enum CodingKeys: String, CodingKey {
                case counts, requests
                case rejectedFiles = "rejected_files"
            }
        }
        let document = Document(
            counts: Dictionary(uniqueKeysWithValues: SyncRequestStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            requests: requests,
            rejectedFiles: rejectedFiles
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
