import Foundation

/// One course as the fake Canvas holds it: what its API answers are made of.
public struct FakeCourse: Sendable {
    public struct Section: Sendable {
        public var id: Int
        public var name: String
        public var sisSectionID: String?

        public init(id: Int, name: String, sisSectionID: String?) {
            self.id = id
            self.name = name
            self.sisSectionID = sisSectionID
        }
    }

    public struct Assignment: Sendable {
        public var id: Int
        public var name: String
        /// JSON number text, `10.0`; `nil` for none.
        public var pointsPossible: String?
        public var dueAt: String?
        public var unlockAt: String?
        public var published = true
        public var postToSIS = true
        public var postManually = false
        public var gradingType = "points"
        public var submissionTypes = ["online_upload"]
        public var position: Int

        public init(id: Int, name: String, pointsPossible: String?, dueAt: String?, position: Int) {
            self.id = id
            self.name = name
            self.pointsPossible = pointsPossible
            self.dueAt = dueAt
            self.position = position
        }
    }

    public struct Group: Sendable {
        public var id: Int
        public var name: String
        public var position: Int
        public var sisSourceID: String?
        public var weight: String
        public var assignments: [Assignment]

        public init(id: Int, name: String, position: Int, sisSourceID: String?, weight: String = "0.0", assignments: [Assignment]) {
            self.id = id
            self.name = name
            self.position = position
            self.sisSourceID = sisSourceID
            self.weight = weight
            self.assignments = assignments
        }
    }

    public struct Student: Sendable {
        public var userID: Int
        /// `Archer, Mary`.
        public var sortableName: String
        public var sisUserID: String?
        public var loginID: String
        public var sectionIDs: [Int]

        public init(userID: Int, sortableName: String, sisUserID: String?, loginID: String, sectionIDs: [Int]) {
            self.userID = userID
            self.sortableName = sortableName
            self.sisUserID = sisUserID
            self.loginID = loginID
            self.sectionIDs = sectionIDs
        }

        /// `Mary Archer`, from the sortable name.
        var name: String {
            let parts = sortableName.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? parts[1] + " " + parts[0] : sortableName
        }
    }

    public struct Submission: Sendable {
        public var assignmentID: Int
        public var userID: Int
        /// JSON number text, `9.5`; `nil` for no score.
        public var score: String?
        public var excused = false
        public var gradedAt: String?
        public var postedAt: String?

        public init(assignmentID: Int, userID: Int, score: String?, excused: Bool = false, gradedAt: String?, postedAt: String?) {
            self.assignmentID = assignmentID
            self.userID = userID
            self.score = score
            self.excused = excused
            self.gradedAt = gradedAt
            self.postedAt = postedAt
        }
    }

    public var id: Int
    public var name: String
    public var courseCode: String
    public var sisCourseID: String?
    public var workflowState = "available"
    public var termSISID: String
    public var accountID = 1
    public var sections: [Section]
    public var groups: [Group]
    public var students: [Student]
    public var submissions: [Submission]

    public init(id: Int, name: String, sisCourseID: String?, termSISID: String, sections: [Section], groups: [Group], students: [Student], submissions: [Submission]) {
        self.id = id
        self.name = name
        courseCode = sisCourseID ?? "COURSE-\(id)"
        self.sisCourseID = sisCourseID
        self.termSISID = termSISID
        self.sections = sections
        self.groups = groups
        self.students = students
        self.submissions = submissions
    }
}

extension FakeCourse {
    /// A course like a district's: one section (two for every fifth course), three imported
    /// groups (Homework, Quizzes, Tests), `assignments` assignments, `students` students, and a
    /// submission for every student and assignment (scores, some excused, some not graded yet,
    /// one assignment posted by hand with unposted grades). The same `id` always gives the same
    /// course.
    public static func generated(id: Int, students studentCount: Int = 30, assignments assignmentCount: Int = 40, termSISID: String = "2026-S1") -> FakeCourse {
        var random = SplitMix64(seed: UInt64(id))
        let sectionCount = id % 5 == 0 ? 2 : 1
        let sections = (0..<sectionCount).map { s in
            Section(id: id * 10 + s, name: "Period \(s + 1)", sisSectionID: "MST\(id)-\(s + 1)")
        }
        let groupNames = [("Homework", "40.0"), ("Quizzes", "20.0"), ("Tests", "40.0")]
        var groups = groupNames.enumerated().map { index, entry in
            Group(id: id * 10 + index, name: entry.0, position: index + 1, sisSourceID: "GCT\(id)-\(index + 1)", weight: entry.1, assignments: [])
        }
        for k in 0..<assignmentCount {
            let group = k % 3
            let day = 1 + (k * 3) % 27
            let month = 9 + (k / 9) % 4
            var assignment = Assignment(
                id: id * 100 + k, name: "\(groups[group].name) \(k / 3 + 1)",
                pointsPossible: ["10.0", "20.0", "100.0"][group],
                dueAt: "2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T05:59:59Z",
                position: k / 3 + 1
            )
            if k == 4 { assignment.postManually = true }
            if k == 7 { assignment.gradingType = "pass_fail" }
            groups[group].assignments.append(assignment)
        }
        var students: [Student] = []
        for k in 0..<studentCount {
            let first = firstNames[Int(random.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(random.next() % UInt64(lastNames.count))]
            let section = sections[k % sectionCount].id
            students.append(
                Student(
                    userID: id * 1000 + k, sortableName: "\(last), \(first)", sisUserID: String(600_000 + id * 100 + k),
                    loginID: "\(first.lowercased()).\(last.lowercased())\(k)", sectionIDs: [section]
                ))
        }
        var submissions: [Submission] = []
        for group in groups {
            for assignment in group.assignments {
                let points = Int(Double(assignment.pointsPossible ?? "10") ?? 10)
                for student in students {
                    let roll = random.next() % 100
                    var submission = Submission(assignmentID: assignment.id, userID: student.userID, score: nil, gradedAt: nil, postedAt: nil)
                    if roll < 3 {
                        submission.excused = true
                        submission.gradedAt = "2026-10-02T15:00:00Z"
                    } else if roll >= 92 {
                        // not graded yet
                    } else {
                        let whole = Int(random.next() % UInt64(points + 1))
                        let half = random.next() % 4 == 0 && whole < points
                        submission.score = "\(whole)\(half ? ".5" : ".0")"
                        submission.gradedAt = "2026-10-0\(1 + Int(random.next() % 9))T15:\(10 + Int(random.next() % 50)):00Z"
                    }
                    if submission.gradedAt != nil, !assignment.postManually { submission.postedAt = submission.gradedAt }
                    submissions.append(submission)
                }
            }
        }
        return FakeCourse(
            id: id, name: "Course \(id)", sisCourseID: "CRS-\(id)", termSISID: termSISID,
            sections: sections, groups: groups, students: students, submissions: submissions
        )
    }

    static let firstNames = ["Mary", "Kyle", "Ana", "José", "Li", "Omar", "Zoë", "Priya", "Noah", "Emma"]
    static let lastNames = ["Archer", "Hughes", "García", "O'Neil", "Nguyen", "Smith", "Müller", "Khan", "Lee", "Brown"]

    /// Course 14, "English I", of the Ed-Fi LMS Toolkit's Canvas test instance
    /// (`shared/external/canvas/edfi-lms-toolkit/`): its real enrollments, assignments and
    /// submissions (scores as Canvas returned them, the pass/fail `complete` as 100), with the SIS
    /// ids that instance lacked added so that the course can be passed back.
    public static var englishI: FakeCourse {
        var homework = Assignment(id: 7, name: "ENG Homework 1", pointsPossible: "100.0", dueAt: "2020-08-22T05:59:59Z", position: 1)
        homework.unlockAt = "2020-08-19T06:00:00Z"
        var reading = Assignment(id: 3, name: "ENG Reading 1", pointsPossible: "100.0", dueAt: "2020-08-20T05:59:59Z", position: 1)
        reading.gradingType = "pass_fail"
        reading.submissionTypes = ["none"]
        reading.unlockAt = "2020-08-17T06:00:00Z"
        let section = 5
        let students = [
            Student(userID: 13, sortableName: "Archer, Mary", sisUserID: "604863", loginID: "Mary.Archer@studentgps.org", sectionIDs: [section]),
            Student(userID: 18, sortableName: "Caldwell, Stephen", sisUserID: "604969", loginID: "jgmgp.cnljedcey@example.com", sectionIDs: [section]),
            Student(userID: 19, sortableName: "Hardy, Olivia Doris", sisUserID: "604974", loginID: "rlccvnlp.qufmu@example.com", sectionIDs: [section]),
            Student(userID: 14, sortableName: "Hughes, Kyle", sisUserID: "604874", loginID: "kyle.hughes@studentgps.org", sectionIDs: [section]),
            Student(userID: 20, sortableName: "Turner, Micheal", sisUserID: "605015", loginID: "orlu.azxgtbda@example.com", sectionIDs: [section]),
        ]
        let submissions = [
            Submission(assignmentID: 7, userID: 13, score: "80.0", gradedAt: "2020-08-21T14:35:54Z", postedAt: "2020-08-21T14:35:54Z"),
            Submission(assignmentID: 7, userID: 14, score: "90.0", gradedAt: "2020-08-20T22:22:46Z", postedAt: "2020-08-20T22:22:46Z"),
            Submission(assignmentID: 7, userID: 18, score: "0.0", gradedAt: "2020-08-24T14:32:50Z", postedAt: "2020-08-20T22:22:02Z"),
            Submission(assignmentID: 7, userID: 19, score: nil, gradedAt: nil, postedAt: nil),
            Submission(assignmentID: 7, userID: 20, score: nil, gradedAt: nil, postedAt: nil),
            Submission(assignmentID: 3, userID: 13, score: "100.0", gradedAt: "2020-08-21T14:35:22Z", postedAt: "2020-08-21T14:35:22Z"),
            Submission(assignmentID: 3, userID: 14, score: "100.0", gradedAt: "2020-08-21T14:35:36Z", postedAt: "2020-08-21T14:35:36Z"),
            Submission(assignmentID: 3, userID: 18, score: "100.0", gradedAt: "2020-08-21T14:35:27Z", postedAt: "2020-08-21T14:35:26Z"),
            Submission(assignmentID: 3, userID: 19, score: "0.0", gradedAt: "2020-08-21T14:35:29Z", postedAt: "2020-08-21T14:35:29Z"),
            Submission(assignmentID: 3, userID: 20, score: nil, gradedAt: nil, postedAt: nil),
        ]
        var course = FakeCourse(
            id: 14, name: "English I", sisCourseID: "ENG-1-2020", termSISID: "2020-FALL",
            sections: [Section(id: section, name: "English I", sisSectionID: "MST0000014ENG1")],
            groups: [
                Group(id: 14, name: "Reading", position: 1, sisSourceID: "GCT0000014RD", assignments: [reading]),
                Group(id: 20, name: "Homework", position: 2, sisSourceID: "GCT0000014HW", assignments: [homework]),
            ],
            students: students, submissions: submissions
        )
        course.courseCode = "ENG-1"
        return course
    }
}

/// A small deterministic generator (SplitMix64), so a course id always makes the same course.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
