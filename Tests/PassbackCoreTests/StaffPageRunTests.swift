import Foundation
import Testing

@testable import PassbackCore

/// The staff pages that real runs write: hostile names from the inputs reach them only as text,
/// nothing is fetched from anywhere, the counts are the CSV's, the trend and the index follow the
/// runs, and `pagePath` writes a missing page.
@Suite struct StaffPageRunTests {
    /// A JSON string literal of `text`.
    static func json(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    /// A CSV field of `text`, quotes doubled scalar by scalar (a quote with a combining mark
    /// after it is one Character, which a search for `"` does not find).
    static func csv(_ text: String) -> String {
        var field = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { field.unicodeScalars.append(scalar) }
            field.unicodeScalars.append(scalar)
        }
        return field + "\""
    }

    static let course = "CRS-<b>bold</b>\"'"
    static let scriptName = "<script>alert(1)</script>"
    static let imageName = "\"><img src=x onerror=alert(2)>"
    static let combiningName = "x\"\u{301} onmouseover=alert(3) y=\""
    static let groupName = "</title><iframe src=//evil.example>"
    static let student = "'\"><svg/onload=alert(4)>"
    static let gradebookSection = "Period <u>7</u>"
    static let unknownFile = "<img src=x onerror=alert(5)>.txt"
    static let badStem = "x\"><svg onload=alert(6)>"

    /// What must show on the page as typed.
    static let hostile = [course, scriptName, imageName, combiningName, groupName, student, gradebookSection, unknownFile, badStem + ".gradebook.csv", badStem + ".canvas.json"]

    static var gradebook: String {
        [
            "Student,ID,SIS User ID,SIS Login ID,Section,\(csv(scriptName + " (101)")),\(csv(imageName + " (102)")),\(csv(combiningName + " (103)")),Lab (104)",
            "    Points Possible,,,,,10.00,10.00,10.00,10.00",
            "\"Student, 1\",1,1001,s1,Period 1,9.00,8.00,7.00,6.00",
            "\"Student, 2\",2,\(csv(student)),s2,Period 1,9.00,abc,7.00,6.00",
            "\"Student, 3\",3,1003,s3,\(csv(gradebookSection)),9.00,8.00,7.00,6.00",
        ].joined(separator: "\n") + "\n"
    }

    static var bundle: String {
        """
        {"course":{"id":5151,"sis_course_id":\(json(course)),"workflow_state":"available","term":{"sis_term_id":"T1"}},
         "sections":[{"id":7,"name":"Period 1","sis_section_id":"S1-5151"}],
         "assignment_groups":[
          {"id":1,"name":"Homework","sis_source_id":"HW","assignments":[
            {"id":101,"name":\(json(scriptName)),"published":true,"post_to_sis":true,"points_possible":10},
            {"id":102,"name":\(json(imageName)),"published":true,"post_to_sis":true,"due_at":"2025-09-12T05:59:59Z","points_possible":10},
            {"id":103,"name":\(json(combiningName)),"published":false,"post_to_sis":true,"due_at":"2025-09-12T05:59:59Z","points_possible":10}]},
          {"id":2,"name":\(json(groupName)),"sis_source_id":"NOPE","assignments":[
            {"id":104,"name":"Lab","published":true,"post_to_sis":true,"due_at":"2025-09-12T05:59:59Z","points_possible":10}]}]}
        """
    }

    static let categories = """
        categorySourcedId,title,classSourcedId,termSourcedId,termCode,termStartDate,termEndDate,schoolId,verifiedAt
        HW,Homework,S1-5151,T1,Q1,2025-08-20,2025-12-31,702,2025-08-25T00:00:00Z

        """

    func hostileRun() throws -> (ScenarioWorkspace, RunSummary) {
        let scenario = try ScenarioWorkspace()
        try scenario.drop("district.categories.csv", Self.categories)
        try scenario.drop("hostile.gradebook.csv", Self.gradebook)
        try scenario.drop("hostile.canvas.json", Self.bundle)
        try scenario.drop(Self.unknownFile, "not a course")
        try scenario.drop(Self.badStem + ".gradebook.csv", "")
        try scenario.drop(Self.badStem + ".canvas.json", ScenarioCourse(courseID: "6161").json)
        let summary = try scenario.run(at: "2025-10-01T09:00:00Z")
        return (scenario, summary)
    }

    func page(_ scenario: ScenarioWorkspace, _ runID: String) throws -> String {
        try String(contentsOf: scenario.root.appendingPathComponent("reports/\(runID).html"), encoding: .utf8)
    }

    @Test func hostileNamesFromTheInputsAreOnlyText() throws {
        let (scenario, summary) = try hostileRun()
        let runID = try #require(summary.runID)
        let html = try page(scenario, runID)
        let document = try HTMLTestDocument(html)
        let text = document.text
        for name in Self.hostile {
            #expect(text.contains(name), "\(name.debugDescription) is not on the page as text")
        }
        // Each reached the page where staff look for it.
        let rejected = try #require(document.table(caption: "Files moved to quarantine"))
        #expect(rejected.count == 2)
        #expect(rejected.first?.first?.hasPrefix(Self.unknownFile) == true)
        #expect(rejected.last?.first?.hasPrefix(Self.badStem + ".gradebook.csv") == true)
        #expect(rejected.last?[2].hasSuffix("Held with it: \(Self.badStem).canvas.json, the other file of the course.") == true)
        #expect(rejected.last?[3] == "in quarantine/\(runID)/reason: \(Self.badStem).gradebook.csv.reason.txt")
        #expect(document.elements.contains { $0.name == "th" && $0.textContent.hasPrefix("Course " + Self.course + "Canvas course 5151") })

        let elements = document.elements
        for forbidden in ["script", "img", "iframe", "u", "b", "object", "embed", "link", "base", "form", "input", "textarea"] {
            #expect(!elements.contains { $0.name == forbidden }, "a <\(forbidden)> element is on the page")
        }
        #expect(elements.filter { $0.name == "svg" }.count == 1, "only the trend chart is an SVG")
        #expect(elements.filter { $0.name == "style" }.count == 1)
        #expect(elements.filter { $0.name == "title" }.first?.textContent == "Passback run \(runID): Errors")
        for element in elements {
            for attribute in element.attributes {
                #expect(!attribute.name.lowercased().hasPrefix("on"), "<\(element.name) \(attribute.name)>")
                #expect(!attribute.value.contains("alert("), "<\(element.name) \(attribute.name)=\(attribute.value.debugDescription)>")
            }
        }
        try Self.expectNothingFetched(html, document)
    }

    /// No element or style refers to anything outside the page: links only to fragments and the
    /// pages beside it, no source, no `url(` but data and fragments, no `@import`.
    static func expectNothingFetched(_ html: String, _ document: HTMLTestDocument) throws {
        let fetching = ["src", "srcset", "action", "formaction", "poster", "background", "data", "xlink:href", "ping", "manifest", "cite", "longdesc"]
        for element in document.elements {
            for attribute in element.attributes {
                let name = attribute.name.lowercased()
                #expect(!fetching.contains(name), "<\(element.name) \(name)=\(attribute.value)>")
                if name == "href" {
                    let value = attribute.value
                    #expect(value.hasPrefix("#") || (value.hasSuffix(".html") && !value.contains(":") && !value.hasPrefix("/")), "<\(element.name) href=\(value)>")
                }
            }
        }
        let lowered = html.lowercased()
        #expect(!lowered.contains("@import"))
        var rest = lowered[...]
        while let found = rest.range(of: "url(") {
            let target = rest[found.upperBound...].drop { $0 == " " || $0 == "'" || $0 == "\"" }
            #expect(target.hasPrefix("data:") || target.hasPrefix("#"), "url(\(target.prefix(20))")
            rest = rest[found.upperBound...]
        }
        // The only absolute URL is SVG's namespace name, which is never fetched.
        let absolute = try Regex("https?://[^\"'<> ]*")
        #expect(Set(html.matches(of: absolute).map { String(html[$0.range]) }) == ["http://www.w3.org/2000/svg"])
    }

    @Test func theCountsOnThePageAreTheCSVs() throws {
        let (scenario, summary) = try hostileRun()
        let runID = try #require(summary.runID)
        let csv = try scenario.report(summary)
        let document = try HTMLTestDocument(try page(scenario, runID))
        func number(_ text: String) -> Int? { Int(text.replacingOccurrences(of: ",", with: "")) }

        var statuses: [String: Int] = [:]
        var rules: [String: Int] = [:]
        for row in csv {
            statuses[row["status"]!, default: 0] += 1
            rules["\(row["rule"]!.isEmpty ? "(none: sent)" : row["rule"]!) \(row["status"]!)", default: 0] += 1
        }
        #expect(statuses["error", default: 0] > 0)
        let statusTable = try #require(document.table(caption: "Report rows by status"))
        #expect(Dictionary(uniqueKeysWithValues: statusTable.map { ($0[0], number($0[2])!) }).filter { $0.value > 0 } == statuses)
        let ruleTable = try #require(document.table(caption: "Report rows by rule"))
        #expect(Dictionary(uniqueKeysWithValues: ruleTable.map { ("\($0[0]) \($0[1])", number($0[2])!) }) == rules)
        let sent = csv.filter { $0["status"] == "success" }.reduce(0) { $0 + Int($1["count"]!)! }
        #expect(document.text.contains("\(sent) grades sent"))
        let fixes = csv.filter {
            ($0["status"] == "error" || $0["status"] == "warning") && !($0["request_id"]!.isEmpty && $0["course_sis_id"]!.isEmpty && $0["canvas_course_id"]!.isEmpty)
        }
        #expect(document.text.contains("\(fixes.filter { $0["status"] == "error" }.count) errors and \(fixes.filter { $0["status"] == "warning" }.count)"))
    }

    @Test func theTrendAndTheIndexFollowTheNights() throws {
        let scenario = try ScenarioWorkspace()
        try scenario.drop("district.categories.csv", ScenarioCourse.categories(courseID: "4242"))
        try ScenarioCourse().drop(into: scenario)
        let first = try scenario.run(at: "2025-10-01T09:00:00Z")
        try scenario.drop("notes.txt", "not a course")
        var changed = ScenarioCourse()
        changed.homework = ["10.00", "oops", "7.00", "6.00"]
        try changed.drop(into: scenario)
        let second = try scenario.run(at: "2025-10-02T09:00:00Z")
        let (firstID, secondID) = (try #require(first.runID), try #require(second.runID))

        let document = try HTMLTestDocument(try page(scenario, secondID))
        let trend = try #require(document.table(caption: "Per run, newest first"))
        #expect(trend.map(\.first) == [secondID, firstID])
        #expect(trend[1] == [firstID, "Wed 1 Oct 2025", String(first.resultsSent), "0", "0"])
        #expect(trend[0][3] == String(second.rows[.error] ?? 0))
        #expect(trend[0][4] == "1")
        // The first night's page shows only the nights up to it.
        let earlier = try HTMLTestDocument(try page(scenario, firstID))
        #expect(try #require(earlier.table(caption: "Per run, newest first")).map(\.first) == [firstID])

        let indexHTML = try String(contentsOf: scenario.root.appendingPathComponent("reports/index.html"), encoding: .utf8)
        let index = try HTMLTestDocument(indexHTML)
        let runs = try #require(index.table(caption: "Runs, newest first"))
        #expect(runs.map(\.first) == [secondID, firstID])
        #expect(runs.map { $0[3] } == ["Errors", "OK"])
        let links = index.elements.filter { $0.name == "a" }.compactMap { $0.attribute("href") }
        #expect(links.contains("\(secondID).html") && links.contains("\(firstID).html"))
        try Self.expectNothingFetched(indexHTML, index)
        // The pages carry student ids: owner only, like the CSV.
        for name in ["\(secondID).html", "index.html"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: scenario.root.appendingPathComponent("reports/\(name)").path)
            #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o077 == 0)
        }

        // The ledger keeps what each page said of its run.
        let ledger = try scenario.ledger()
        let recorded = try #require(try ledger.runOverview(id: secondID))
        #expect(recorded.files == Ledger.RunFiles(claimed: 2, rejected: 1, waiting: 0))
        #expect(recorded.tally.rows(.error) == second.rows[.error] ?? 0)
        #expect(recorded.isFinished)
    }

    @Test func pagePathWritesAMissingPageAndRefusesAnUnknownRun() throws {
        let scenario = try ScenarioWorkspace()
        try scenario.drop("district.categories.csv", ScenarioCourse.categories(courseID: "4242"))
        try ScenarioCourse().drop(into: scenario)
        let summary = try scenario.run(at: "2025-10-01T09:00:00Z")
        let runID = try #require(summary.runID)
        let path = scenario.root.appendingPathComponent("reports/\(runID).html").path
        let written = try String(contentsOfFile: path, encoding: .utf8)
        try FileManager.default.removeItem(atPath: path)

        #expect(try StaffReport.pagePath(runID: runID, workspace: scenario.workspace, settings: scenario.settings) == path)
        let again = try String(contentsOfFile: path, encoding: .utf8)
        // The same page but for the times of its end (the page written at the end of the run
        // takes the moment just before the ledger records it) and of its writing.
        func counts(_ html: String) -> String { html.components(separatedBy: "<h2 id=\"counts\">")[1].components(separatedBy: "<footer>")[0] }
        #expect(counts(again) == counts(written))
        #expect(again.contains("<dt>Exit status</dt><dd>0: every request succeeded</dd>"))
        #expect(throws: StaffReport.Unavailable.self) { try StaffReport.pagePath(runID: "20990101T000000Z-01", workspace: scenario.workspace, settings: scenario.settings) }
    }
}
