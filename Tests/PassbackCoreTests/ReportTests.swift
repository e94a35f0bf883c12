import Foundation
import Testing

@testable import PassbackCore

@Suite struct SpreadsheetCSVTests {
    func bytes(_ cells: [String]) -> String {
        var buffer: [UInt8] = []
        SpreadsheetCSV.appendRecord(cells, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test(arguments: [
        (["plain", "9"], "plain,9\r\n"),
        (["a,b"], "\"a,b\"\r\n"),
        (["say \"hi\""], "\"say \"\"hi\"\"\"\r\n"),
        (["two\nlines"], "\"two\nlines\"\r\n"),
        (["=HYPERLINK(\"http://x\")"], "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"),
        (["+1"], "'+1\r\n"), (["-1"], "'-1\r\n"), (["@SUM(A1)"], "'@SUM(A1)\r\n"),
        (["\tx"], "'\tx\r\n"), (["\rx"], "\"'\rx\"\r\n"),
        (["\nx"], "\"'\nx\"\r\n"), (["=1+1"], "'=1+1\r\n"), (["-"], "'-\r\n"), (["@"], "'@\r\n"), (["\t"], "'\t\r\n"),
        (["=1,2", "+a\"b"], "\"'=1,2\",\"'+a\"\"b\"\r\n"), (["-2\r\n3"], "\"'-2\r\n3\"\r\n"),
        (["a\r\nb"], "\"a\r\nb\"\r\n"), (["x=1", "9-1"], "x=1,9-1\r\n"), (["'quoted"], "'quoted\r\n"),
        (["", ""], ",\r\n"),
        (["Zoë García"], "Zoë García\r\n"),
    ])
    func quotingAndFormulaGuard(cells: [String], expected: String) {
        #expect(bytes(cells) == expected)
    }

    /// Issue 12, item 8: a formula behind blanks, in fullwidth characters, or after a `;` (where
    /// a `;`-separated import starts a new cell). Each of these was written as it is before.
    @Test(arguments: [
        ([" =1+1"], "' =1+1\r\n"),
        (["  \t+cmd"], "'  \t+cmd\r\n"),
        (["\u{00A0}=1+1"], "'\u{00A0}=1+1\r\n"),
        (["\u{200B}@SUM(A1)"], "'\u{200B}@SUM(A1)\r\n"),
        (["\u{FEFF}-2"], "'\u{FEFF}-2\r\n"),
        (["\u{3000}=A1"], "'\u{3000}=A1\r\n"),
        (["＝HYPERLINK(1)"], "'＝HYPERLINK(1)\r\n"),
        (["＋1"], "'＋1\r\n"), (["－1"], "'－1\r\n"), (["＠x"], "'＠x\r\n"),
        (["\u{200B} ＝1"], "'\u{200B} ＝1\r\n"),
        (["Homework;=1+1"], "Homework;'=1+1\r\n"),
        (["a; @x"], "a;' @x\r\n"),
        (["a;\u{00A0}＋x;b;-c"], "a;'\u{00A0}＋x;b;'-c\r\n"),
        (["=a;=b,c"], "\"'=a;'=b,c\"\r\n"),
        (["a;b"], "a;b\r\n"), (["9;5"], "9;5\r\n"), (["Shorten it; it has 57."], "Shorten it; it has 57.\r\n"),
        (["x ="], "x =\r\n"), (["a\u{00A0}b"], "a\u{00A0}b\r\n"), (["５"], "５\r\n"), (["\u{200B}"], "\u{200B}\r\n"),
    ])
    func formulasBehindBlanksFullwidthOrASemicolonAreText(cells: [String], expected: String) {
        #expect(bytes(cells) == expected)
    }
}

@Suite struct ReportWriterTests {
    @Test func writesBOMHeaderAndCRLFRows() throws {
        let folder = TestScratch.root.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A folder private to the service account (the mode is the folder's to give: in a
        // workspace's group-readable reports/ the file is 0640, OperatorsTests).
        #expect(chmod(folder.path, 0o700) == 0)
        let path = folder.appendingPathComponent("r.csv").path
        let writer = try ReportWriter(path: path)
        try writer.append(
            ReportRow(
                runID: "R1", requestID: "R1-001", status: .error, rule: .nameTooLong,
                subject: ReportSubject(
                    courseSISID: "C", sectionSISID: "S", canvasCourseID: "1", canvasAssignmentID: "2", assignmentName: "=cmd|' /C calc'!A0", categorySourcedID: "G",
                    studentSISID: nil),
                location: SourceLocation(file: "x.canvas.json"), message: "Shorten the name to 50 characters or fewer; it has 57."
            ))
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(
            text
                == "run_id,request_id,status,rule,course_sis_id,section_sis_id,canvas_course_id,canvas_assignment_id,assignment_name,category_sourced_id,student_sis_id,count,source_file,source_line,message\r\nR1,R1-001,error,name-too-long,C,S,1,2,'=cmd|' /C calc'!A0,G,,,x.canvas.json,,Shorten the name to 50 characters or fewer; it has 57.\r\n"
        )
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
