import FakeCanvas
import Foundation
import Testing

@testable import PassbackCore

/// `passback fetch` against a fake Canvas over real HTTP on loopback (spec section 8).
@Suite struct FetchTests {
    @Test func aTermIsFetchedPageByPageIntoCompleteBundles() async throws {
        // 4 elements a page: the course list, every list of every course, spans several pages.
        let harness = try await FetchHarness(FetchHarness.options(courses: 6, perPage: 4))
        do {
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 0)
            #expect(summary.written.count == 6)
            let ids = (10_000..<10_006).map { "canvas-\($0)" }
            #expect(try harness.inbox() == ids.flatMap { [$0 + ".canvas.json", $0 + ".gradebook.csv"] }.sorted())

            let records = harness.server.records
            // Every page asked once, none twice.
            let targets = records.map(\.target)
            #expect(Set(targets).count == targets.count, "a page was asked twice")
            // Lists span pages, and every page after the first was Canvas's own next link.
            #expect(harness.requests(to: "/api/v1/accounts/1/courses").count == 2)
            #expect(harness.requests(to: "/api/v1/courses/10000/students/submissions").count == 8)  // 5 × 6 = 30 submissions
            for record in records where !record.query.contains("page=") && record.path.split(separator: "/").count > 4 {
                #expect(record.query.contains("per_page=100"), "a list asked without per_page=100: \(record.target)")
            }
            // At most four in flight as the server saw them; the client did use more than one (the
            // server may answer one at a time when other tests hold the concurrency pool).
            #expect(harness.server.highestInFlight <= 4)
            #expect(summary.highestInFlight > 1 && summary.highestInFlight <= 4)
            // The token only as the Authorization header, on every request.
            for record in records {
                #expect(record.headers.filter { $0.name.lowercased() == "authorization" }.map(\.value) == ["Bearer " + FetchHarness.token])
                #expect(!record.target.contains(FetchHarness.token))
                #expect(record.headers.filter { $0.name.lowercased() != "authorization" }.allSatisfy { !$0.value.contains(FetchHarness.token) })
            }
            // The bundle: the members as Canvas sent them, pages concatenated, bytes unchanged.
            for id in 10_000..<10_006 {
                let written = try harness.inboxFile("canvas-\(id).canvas.json")
                #expect(written == harness.expectedBundle(course: id), "course \(id): the bundle is not the pages as sent")
                let bundle = try CanvasBundleReader().read(data: Data(written))
                #expect(bundle.course.id == String(id))
                #expect(bundle.assignmentGroups.flatMap(\.assignments).count == 5)
                #expect(bundle.submissions.count == 30)
                let gradebook = try GradebookReader().read(bytes: try harness.inboxFile("canvas-\(id).gradebook.csv"))
                #expect(gradebook.students.count == 6)
                #expect(gradebook.assignmentColumns.count == 5)
            }
            // Nothing left in the staging folder, no file of the fetch world-readable.
            #expect(harness.allFiles().filter { $0.hasPrefix("work/") }.isEmpty)
            for name in try harness.inbox() {
                let mode = try FileManager.default.attributesOfItem(atPath: harness.root.appendingPathComponent("inbox/\(name)").path)[.posixPermissions] as? Int
                #expect(mode == 0o600)
            }
            #expect(harness.progressLines.filter { $0.contains(": written inbox/canvas-") }.count == 6)
        }
        await harness.finish()
    }

    @Test func namedCoursesAreFetchedByIdOrSISId() async throws {
        var options = FetchHarness.options(courses: 0)
        options.courses = [14: FakeCourse.englishI]
        let harness = try await FetchHarness(options)
        do {
            let summary = try await harness.fetch(FetchArguments(courses: ["sis_course_id:ENG-1-2020"]))
            #expect(summary.written == ["canvas-14"])
            #expect(harness.server.records.first?.path == "/api/v1/courses/sis_course_id:ENG-1-2020")
            #expect(harness.requests(to: "/api/v1/courses/14/sections").count == 1)
        }
        await harness.finish()
    }

    @Test func theGradebookIsCanvasExportLayoutOfTheRealCourse() async throws {
        var options = FetchHarness.options(courses: 0)
        options.courses = [14: FakeCourse.englishI]
        let harness = try await FetchHarness(options)
        do {
            _ = try await harness.fetch(FetchArguments(courses: ["14"]))
            let csv = String(decoding: try harness.inboxFile("canvas-14.gradebook.csv"), as: UTF8.self)
            // Ordered by group position (Reading 1, Homework 2), students by sortable name; the
            // two students without a score for ENG Homework 1 have a blank cell, the one without
            // a pass/fail grade too.
            #expect(
                csv == """
                    Student,ID,SIS User ID,SIS Login ID,Section,ENG Reading 1 (3),ENG Homework 1 (7)
                        Points Possible,,,,,100.00,100.00
                    "Archer, Mary",13,604863,Mary.Archer@studentgps.org,English I,100.00,80.00
                    "Caldwell, Stephen",18,604969,jgmgp.cnljedcey@example.com,English I,100.00,0.00
                    "Hardy, Olivia Doris",19,604974,rlccvnlp.qufmu@example.com,English I,0.00,
                    "Hughes, Kyle",14,604874,kyle.hughes@studentgps.org,English I,100.00,90.00
                    "Turner, Micheal",20,605015,orlu.azxgtbda@example.com,English I,,

                    """)
        }
        await harness.finish()
    }

    @Test func theGradebookHasEveryCellKindCanvasWrites() async throws {
        var course = FakeCourse.englishI
        course.id = 77
        course.sisCourseID = "CRS-77"
        course.sections = [
            .init(id: 1, name: "Period 2", sisSectionID: "S2"),
            .init(id: 2, name: "Period 1", sisSectionID: "S1"),
            .init(id: 3, name: "Lab, West", sisSectionID: "S3"),
        ]
        var manual = FakeCourse.Assignment(id: 9, name: "Quiz \"A\", part 1", pointsPossible: "12.5", dueAt: nil, position: 1)
        manual.postManually = true
        var unpublished = FakeCourse.Assignment(id: 10, name: "Draft", pointsPossible: "5.0", dueAt: nil, position: 2)
        unpublished.published = false
        var ungraded = FakeCourse.Assignment(id: 11, name: "Survey", pointsPossible: nil, dueAt: nil, position: 3)
        ungraded.gradingType = "not_graded"
        ungraded.submissionTypes = ["not_graded"]
        course.groups = [.init(id: 1, name: "Quizzes", position: 1, sisSourceID: "Q", assignments: [manual, unpublished, ungraded])]
        course.students = [
            .init(userID: 5, sortableName: "=cmd|' /C calc'!A0", sisUserID: "5005", loginID: "x", sectionIDs: [1]),
            .init(userID: 6, sortableName: "Nguyen, Li", sisUserID: nil, loginID: "li", sectionIDs: [1, 2]),
            .init(userID: 7, sortableName: "Brown, Emma", sisUserID: "5007", loginID: "emma", sectionIDs: [3, 2, 1]),
        ]
        course.submissions = [
            .init(assignmentID: 9, userID: 5, score: "7.125", gradedAt: "2026-10-01T10:00:00Z", postedAt: nil),
            .init(assignmentID: 9, userID: 6, score: nil, excused: true, gradedAt: nil, postedAt: nil),
            // Student 7 has no submission for 9: not assigned, N/A.
        ]
        var options = FetchHarness.options(courses: 0)
        options.courses = [77: course]
        let harness = try await FetchHarness(options)
        do {
            _ = try await harness.fetch(FetchArguments(courses: ["77"]))
            let bytes = try harness.inboxFile("canvas-77.gradebook.csv")
            #expect(
                String(decoding: bytes, as: UTF8.self) == #"""
                    Student,ID,SIS User ID,SIS Login ID,Section,"Quiz ""A"", part 1 (9)"
                    ,,,,,Manual Posting
                        Points Possible,,,,,12.50
                    "=""=cmd|' /C calc'!A0""",5,5005,x,Period 2,7.13
                    "Brown, Emma",7,5007,emma,"Lab, West, Period 1, and Period 2",N/A
                    "Nguyen, Li",6,,li,Period 1 and Period 2,EX

                    """#)
            // And the pipeline's own reader takes it as Canvas's.
            let gradebook = try GradebookReader().read(bytes: bytes)
            #expect(gradebook.assignmentColumns.map(\.assignmentID) == ["9"])
            #expect(gradebook.assignmentColumns.first?.postingNote == "Manual Posting")
            #expect(gradebook.students.map(\.sectionText) == ["Period 2", "Lab, West, Period 1, and Period 2", "Period 1 and Period 2"])
        }
        await harness.finish()
    }

    @Test func faultsAreRetriedAndEveryCourseIsWritten() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 5, perPage: 4))
        do {
            let faulted = [
                ("/api/v1/courses/10000/sections", FakeCanvas.Fault.rateLimited, nil as String?),
                ("/api/v1/courses/10001/assignment_groups", .tooManyRequests(retryAfter: nil), nil),
                ("/api/v1/courses/10002/students/submissions", .serverError(500), nil),
                ("/api/v1/courses/10003/enrollments", .reset, nil),
                ("/api/v1/courses/10004/students/submissions", .cutShort, nil),
                ("/api/v1/accounts/1/courses", .serverError(503), "2"),
            ]
            for (path, fault, page) in faulted { harness.server.inject(fault, path: path, page: page) }
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 0, "\(summary.notWritten)")
            #expect(summary.written.count == 5)
            #expect(summary.stats.retries == faulted.count)
            #expect(harness.server.highestInFlight <= 4)
            for (path, fault, _) in faulted {
                let records = harness.requests(to: path)
                let faultedTargets = records.filter { $0.fault != nil }.map(\.target)
                #expect(faultedTargets.count == 1, "\(path): \(fault) not served once")
                // The faulted page asked exactly twice, spaced by at least half the base backoff.
                let tries = records.filter { $0.target == faultedTargets.first }
                #expect(tries.count == 2, "\(path): \(tries.count) tries")
                // Spacing by the client's clock (the server's arrival stamps lag by the scheduler).
                let sends = harness.sends(to: path).filter { $0.target == faultedTargets.first }
                #expect(sends.count == 2)
                if sends.count == 2 {
                    #expect(sends[1].sent - sends[0].sent >= .milliseconds(20), "\(path): retried too soon")
                }
            }
            // Every other page once.
            let unfaulted = harness.server.records.filter { record in !faulted.contains { $0.0 == record.path && ($0.2 == nil || record.query.contains("page=\($0.2!)")) } }
            #expect(Set(unfaulted.map(\.target)).count == unfaulted.count)
            for id in 10_000..<10_005 {
                #expect(try harness.inboxFile("canvas-\(id).canvas.json") == harness.expectedBundle(course: id))
            }
        }
        await harness.finish()
    }

    @Test func retryAfterIsHonoured() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 1))
        do {
            harness.server.inject(.tooManyRequests(retryAfter: 1), path: "/api/v1/courses/10000/sections")
            let summary = try await harness.fetch(FetchArguments(courses: ["10000"]))
            #expect(summary.exitCode == 0)
            let tries = harness.requests(to: "/api/v1/courses/10000/sections")
            #expect(tries.count == 2)
            let sends = harness.sends(to: "/api/v1/courses/10000/sections")
            if sends.count == 2 { #expect(sends[1].sent - sends[0].sent >= .seconds(1)) }
        }
        await harness.finish()
    }

    @Test func aSlowAnswerTimesOutAndIsTriedAgain() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 1))
        do {
            // The fake Canvas and the client's deadline both run on Swift's concurrency pool,
            // which the other suites of a full `swift test` keep busy (two threads on two
            // cores): a deadline can fire seconds late. With a 10 s answer, CI once saw the
            // answer win (one try, no retry). The answer now takes two minutes, or until the
            // client hangs up, so only a client that waits for it can see it.
            harness.tuning.requestTimeout = .seconds(3)
            harness.server.inject(.slow(.seconds(120)), path: "/api/v1/courses/10000/assignment_groups")
            let started = ContinuousClock.now
            let summary = try await harness.fetch(FetchArguments(courses: ["10000"]))
            let elapsed = ContinuousClock.now - started
            #expect(summary.exitCode == 0)
            // Tried again: the first answer was not waited for.
            #expect(summary.stats.retries >= 1)
            let tries = harness.requests(to: "/api/v1/courses/10000/assignment_groups")
            #expect(tries.count >= 2)
            // Not tried again at once: the first try was given its whole timeout (measured by
            // the client; the server's arrival stamps lag by the scheduler's delay), and not
            // the slow answer's two minutes.
            #expect(elapsed >= .seconds(3))
            #expect(elapsed < .seconds(110))
        }
        await harness.finish()
    }

    @Test func aCallThatFailsFiveTimesFailsItsCourseOnly() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 3))
        do {
            harness.server.inject(.serverError(500), path: "/api/v1/courses/10001/enrollments", times: 5)
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 1)
            #expect(summary.written.sorted() == ["canvas-10000", "canvas-10002"])
            #expect(summary.notWritten.map(\.course) == ["10001"])
            #expect(summary.notWritten.first?.reason.contains("500") == true)
            #expect(summary.notWritten.first?.reason.contains("5 tries") == true)
            #expect(harness.requests(to: "/api/v1/courses/10001/enrollments").count == 5)
            // Nothing of that course in the inbox, nothing half-written anywhere.
            #expect(try harness.inbox().allSatisfy { !$0.hasPrefix("canvas-10001") })
            #expect(harness.allFiles().allSatisfy { !$0.hasSuffix(".part") })
            #expect(harness.progressLines.contains { $0.contains("course 10001: not written:") })
        }
        await harness.finish()
    }

    @Test func aCourseThatIsNotThereOrNotReadableIsSkippedWithItsReason() async throws {
        var options = FetchHarness.options(courses: 2)
        options.forbiddenCourses = [10_001]
        let harness = try await FetchHarness(options)
        do {
            let summary = try await harness.fetch(FetchArguments(courses: ["10000", "10001", "999"]))
            #expect(summary.exitCode == 1)
            #expect(summary.written == ["canvas-10000"])
            let reasons = Dictionary(uniqueKeysWithValues: summary.notWritten.map { ($0.course, $0.reason) })
            #expect(reasons["999"]?.contains("404") == true)
            #expect(reasons["10001"]?.contains("may not read it") == true)
            // Neither is retried.
            #expect(harness.requests(to: "/api/v1/courses/999").count == 1)
            #expect(harness.requests(to: "/api/v1/courses/10001").count == 1)
        }
        await harness.finish()
    }

    @Test func aRefusedTokenStopsEverythingAndLeavesNothingHalfWritten() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 12))
        do {
            harness.tuning.coursesInFlight = 4
            harness.server.inject(.invalidToken, path: "/api/v1/courses/10003/students/submissions")
            await #expect(throws: FetchFailure.self) { try await harness.fetchTerm() }
            // Courses in flight when it stopped were abandoned whole: the inbox holds pairs only,
            // and the staging folder is gone.
            let inbox = try harness.inbox()
            #expect(inbox.count % 2 == 0)
            #expect(!inbox.contains { $0.hasPrefix("canvas-10003") })
            #expect(harness.allFiles().allSatisfy { !$0.hasPrefix("work/") })
        }
        await harness.finish()
    }

    @Test func aRefusedTokenIsExitTwoAndNoLaterCourseStarts() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 12))
        do {
            harness.tuning.coursesInFlight = 1
            harness.server.inject(.invalidToken, path: "/api/v1/courses/10002/sections")
            do {
                _ = try await harness.fetchTerm()
                Issue.record("the fetch went on after a 401")
            } catch let failure as FetchFailure {
                #expect(failure.exitCode == 2)
                #expect(failure.description.contains("refused the token"))
                #expect(failure.description.contains("2 course(s) were written"))
            }
            #expect(try harness.inbox() == ["canvas-10000.canvas.json", "canvas-10000.gradebook.csv", "canvas-10001.canvas.json", "canvas-10001.gradebook.csv"])
            #expect(harness.server.records.allSatisfy { !$0.path.hasPrefix("/api/v1/courses/10003") })
        }
        await harness.finish()
    }

    /// Canvas's error messages reach the terminal and the journal in the progress lines: control
    /// characters and bidirectional overrides never reach them raw (a title-setting escape and a
    /// right-to-left override here), as for everything else from outside.
    @Test func whatCanvasSaysIsEscapedBeforeItIsPrinted() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 1))
        do {
            harness.server.inject(.canvasError(status: 403, message: "no \u{1B}]0;owned\u{07} \u{202E}txt.exe"), path: "/api/v1/courses/10000/sections")
            let summary = try await harness.fetch(FetchArguments(courses: ["10000"]))
            #expect(summary.exitCode == 1)
            let line = try #require(harness.progressLines.first { $0.contains("course 10000") })
            // The controls were dropped from Canvas's message already; the override, which
            // reversed the rest of the line on a terminal, is escaped now.
            #expect(line.contains("(403: no ]0;owned \\u{202E}txt.exe)"), "\(line)")
            for printed in harness.progressLines {
                #expect(!printed.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E }, "\(printed)")
            }
        }
        await harness.finish()
    }

    @Test func anAnswerThatIsNotJSONFailsItsCourseWithoutRetrying() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 2))
        do {
            harness.server.inject(.notJSON, path: "/api/v1/courses/10000/sections")
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 1)
            #expect(summary.written == ["canvas-10001"])
            #expect(summary.notWritten.first?.reason.contains("not JSON") == true)
            #expect(summary.notWritten.first?.reason.contains("<!DOCTYPE html>") == true)
            #expect(harness.requests(to: "/api/v1/courses/10000/sections").count == 1)
        }
        await harness.finish()
    }

    @Test func anAnswerCutShortEveryTimeFailsItsCourse() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 2))
        do {
            harness.server.inject(.cutShort, path: "/api/v1/courses/10001/students/submissions", times: 5)
            let summary = try await harness.fetchTerm()
            #expect(summary.written == ["canvas-10000"])
            #expect(summary.notWritten.first?.reason.contains("5 tries") == true)
            #expect(harness.requests(to: "/api/v1/courses/10001/students/submissions").count == 5)
            #expect(try harness.inbox() == ["canvas-10000.canvas.json", "canvas-10000.gradebook.csv"])
        }
        await harness.finish()
    }

    @Test func aNextLinkToAnotherHostIsNotFollowed() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 1, perPage: 2))
        do {
            harness.server.inject(.foreignNextLink, path: "/api/v1/courses/10000/enrollments")
            let summary = try await harness.fetch(FetchArguments(courses: ["10000"]))
            #expect(summary.written.isEmpty)
            #expect(summary.notWritten.first?.reason.contains("leads away") == true)
            #expect(harness.requests(to: "/api/v1/courses/10000/enrollments").count == 1)
        }
        await harness.finish()
    }

    @Test func aLowQuotaSlowsToOneRequestAtATime() async throws {
        var options = FetchHarness.options(courses: 6, perPage: 3)
        options.rateLimitRemaining = { _ in 60.0 }
        let harness = try await FetchHarness(options)
        do {
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 0)
            #expect(harness.server.highestInFlight == 1)
            #expect(summary.pauses > 0)
        }
        await harness.finish()
    }

    @Test func anEmptyTermWritesNothingAndSaysSo() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 0))
        do {
            let summary = try await harness.fetchTerm()
            #expect(summary.exitCode == 1)
            #expect(summary.line.contains("no published course in term 2026-S1"))
            #expect(try harness.inbox().isEmpty)
        }
        await harness.finish()
    }

    @Test func anUnknownTermIsAStartProblem() async throws {
        let harness = try await FetchHarness(FetchHarness.options(courses: 1))
        do {
            await #expect(throws: SettingsError.self) { try await harness.fetch(FetchArguments(account: "1", term: "1999-X")) }
        }
        await harness.finish()
    }
}
