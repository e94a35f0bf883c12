import Foundation

@testable import PassbackCore

/// A temporary workspace for multi-run scenarios: writes small hand-made courses into the inbox,
/// runs the real pipeline with a fixed clock, and reads back what came out.
final class ScenarioWorkspace {
    let root: URL
    let workspace: Workspace
    var settings: Settings

    init(settings: String = "settle_seconds = 0\nincomplete_bundle_wait_hours = 0\n") throws {
        root = TestScratch.root.appendingPathComponent("scenario-\(UUID().uuidString)")
        workspace = try Workspace.made(at: root)
        self.settings = try Settings.parse(settings)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// Drops a file into the inbox (with a modification time, for tests of "newest bundle").
    func drop(_ name: String, _ text: String, modified: Date? = nil) throws {
        let url = root.appendingPathComponent("inbox/\(name)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if let modified {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
        }
    }

    /// Drops a file of `Fixtures/canvas-real/` (the bundles built from real Canvas responses),
    /// its text changed by `edit` first when given.
    func dropReal(_ name: String, as target: String? = nil, edit: ((String) -> String)? = nil) throws {
        let text = try String(contentsOf: Fixture.url("canvas-real/\(name)"), encoding: .utf8)
        try drop(target ?? name, edit.map { $0(text) } ?? text)
    }

    /// Drops a bundle JSON of `Fixtures/canvas-real/` after changing it as a JSON object.
    func dropReal(_ name: String, as target: String? = nil, json edit: (inout [String: Any]) -> Void) throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixture.url("canvas-real/\(name)"))) as! [String: Any]
        edit(&object)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try drop(target ?? name, String(decoding: data, as: UTF8.self))
    }

    @discardableResult
    func run(at clock: String, mode: PassbackHeader.Mode = .incremental) throws -> RunSummary {
        let pipeline = RunPipeline(workspace: workspace, settings: settings, stages: .standard)
        return try pipeline.run(RunOptions(mode: mode, clock: Make.date(clock), wallClock: Date()))
    }

    /// The report of a run as dictionaries keyed by column name.
    func report(_ summary: RunSummary) throws -> [[String: String]] {
        guard let path = summary.reportPath else { return [] }
        var reader = try CSVReader(fileAt: path, separator: UInt8(ascii: ","))
        var header: [String] = []
        var rows: [[String: String]] = []
        while try reader.next() {
            let cells = try reader.strings()
            if header.isEmpty {
                header = cells
            } else {
                rows.append(Dictionary(uniqueKeysWithValues: zip(header, cells)))
            }
        }
        return rows
    }

    /// The run's XML file for an Aspire section, or `nil` when it wrote none.
    func xml(_ summary: RunSummary, section: String) throws -> String? {
        guard let runID = summary.runID else { return nil }
        let url = root.appendingPathComponent("outbox/\(runID)_\(section).xml")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// `(result id, status, score status, score)` of every result in the run's XML files (or
    /// in the one of `section`).
    func sentResults(_ summary: RunSummary, section: String? = nil) throws -> [String] {
        guard let runID = summary.runID else { return [] }
        let outbox = root.appendingPathComponent("outbox")
        var results: [String] = []
        let prefix = section.map { "\(runID)_\($0).xml" } ?? runID
        for name in try FileManager.default.contentsOfDirectory(atPath: outbox.path).sorted() where name.hasPrefix(prefix) {
            let text = try String(contentsOf: outbox.appendingPathComponent(name), encoding: .utf8)
            // Our own validated output: one element per line, as PassbackWriter indents it.
            var current = ""
            for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("<Result ") {
                    let id = line.components(separatedBy: "sourcedId=\"")[1].components(separatedBy: "\"")[0]
                    let status = line.components(separatedBy: "status=\"")[1].components(separatedBy: "\"")[0]
                    current = "\(id) \(status)"
                    if line.hasSuffix("/>") { results.append(current) }
                } else if line.hasPrefix("<ScoreStatus>") {
                    current += " " + line.replacingOccurrences(of: "<ScoreStatus>", with: "").replacingOccurrences(of: "</ScoreStatus>", with: "")
                } else if line.hasPrefix("<Score>") {
                    current += " " + line.replacingOccurrences(of: "<Score>", with: "").replacingOccurrences(of: "</Score>", with: "")
                } else if line == "</Result>" {
                    results.append(current)
                }
            }
        }
        return results.sorted()
    }

    func ledger() throws -> Ledger { try Ledger(path: workspace.ledgerPath, readOnly: true) }
}

/// A small course for scenarios: one section `S1`, Homework (101) and Projects (102), students
/// 1001...1004 (Canvas ids 1...4).
struct ScenarioCourse {
    var courseID = "4242"
    var stem = "course"
    /// Cells per assignment id, one per student in order.
    var homework = ["9.00", "8.00", "7.00", "6.00"]
    var projects = ["18.00", "17.00", "16.00", "15.00"]
    /// `graded_at` per (assignment, Canvas user id).
    var gradedAt: [String: String] = [:]
    var homeworkName = "Homework 1"

    var gradebook: String {
        var lines = ["Student,ID,SIS User ID,SIS Login ID,Section,\(homeworkName) (101),Project (102)", "    Points Possible,,,,,10.00,20.00"]
        for i in 0..<4 {
            lines.append("\"Student, \(i + 1)\",\(i + 1),\(1001 + i),s\(i + 1),Period 1,\(homework[i]),\(projects[i])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        let submissions = gradedAt.map { key, value in
            let parts = key.split(separator: ":")
            return "{\"assignment_id\":\(parts[0]),\"user_id\":\(parts[1]),\"graded_at\":\"\(value)\"}"
        }.sorted().joined(separator: ",")
        return """
            {"course":{"id":\(courseID),"sis_course_id":"CRS-\(courseID)","workflow_state":"available","term":{"sis_term_id":"T1"}},
             "sections":[{"id":7,"name":"Period 1","sis_section_id":"S1-\(courseID)"}],
             "assignment_groups":[
              {"id":1,"name":"Homework","sis_source_id":"HW","assignments":[{"id":101,"name":"\(homeworkName)","published":true,"post_to_sis":true,"due_at":"2025-09-12T05:59:59Z","points_possible":10}]},
              {"id":2,"name":"Projects","sis_source_id":"PR","assignments":[{"id":102,"name":"Project","published":true,"post_to_sis":true,"due_at":"2025-09-20T05:59:59Z","points_possible":20}]}],
             "submissions":[\(submissions)]}
            """
    }

    static func categories(courseID: String = "4242", projectsVerified: String = "2025-08-25T00:00:00Z") -> String {
        """
        categorySourcedId,title,classSourcedId,termSourcedId,termCode,termStartDate,termEndDate,schoolId,verifiedAt
        HW,Homework,S1-\(courseID),T1,Q1,2025-08-20,2025-12-31,702,2025-08-25T00:00:00Z
        PR,Projects,S1-\(courseID),T1,Q1,2025-08-20,2025-12-31,702,\(projectsVerified)

        """
    }

    func drop(into workspace: ScenarioWorkspace, modified: Date? = nil) throws {
        try workspace.drop("\(stem).gradebook.csv", gradebook, modified: modified)
        try workspace.drop("\(stem).canvas.json", json, modified: modified)
    }
}
