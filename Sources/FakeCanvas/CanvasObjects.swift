/// Canvas API objects for a ``FakeCourse``, with the members (names, order, types and the
/// values a Canvas instance fills in) of the real answers in
/// `shared/external/canvas/edfi-lms-toolkit/` (courses, assignments, enrollments, a submission)
/// and, for sections and assignment groups, of Canvas's API documentation and
/// `canvas_api_assignment_groups_synthetic.json`.
extension FakeCourse {
    func htmlURL(_ base: String, _ path: String) -> FakeJSON { .string("\(base)/courses/\(id)\(path)") }

    /// `GET /api/v1/courses/:id?include[]=term`.
    func courseObject(base: String) -> FakeJSON {
        .object([
            ("id", .int(id)), ("name", .string(name)), ("account_id", .int(accountID)),
            ("uuid", .string("xrsk46FDeuCuGqZxlKxb1Cc8eclw\(id)")), ("start_at", .string("2026-08-17T06:00:00Z")),
            ("grading_standard_id", .null), ("is_public", .bool(false)), ("created_at", .string("2026-08-01T17:02:25Z")),
            ("course_code", .string(courseCode)), ("default_view", .string("assignments")), ("root_account_id", .int(1)),
            ("enrollment_term_id", .int(5)), ("license", .string("private")), ("grade_passback_setting", .null),
            ("end_at", .null), ("public_syllabus", .bool(false)), ("public_syllabus_to_auth", .bool(false)),
            ("storage_quota_mb", .int(500)), ("is_public_to_auth_users", .bool(false)),
            ("apply_assignment_group_weights", .bool(true)),
            ("calendar", .object([("ics", .string("\(base)/feeds/calendars/course_\(id).ics"))])),
            ("time_zone", .string("America/Denver")), ("blueprint", .bool(false)),
            ("sis_course_id", .text(sisCourseID)), ("sis_import_id", .null), ("integration_id", .null),
            ("hide_final_grades", .bool(false)), ("workflow_state", .string(workflowState)),
            ("restrict_enrollments_to_course_dates", .bool(false)), ("overridden_course_visibility", .string("")),
            (
                "term",
                .object([
                    ("id", .int(5)), ("name", .string("Term \(termSISID)")), ("start_at", .string("2026-08-20T06:00:00Z")),
                    ("end_at", .string("2027-01-16T06:59:59Z")), ("created_at", .string("2026-06-01T10:00:00Z")),
                    ("workflow_state", .string("active")), ("grading_period_group_id", .null),
                    ("sis_term_id", .string(termSISID)), ("sis_import_id", .null),
                ])
            ),
        ])
    }

    /// `GET /api/v1/courses/:id/sections`.
    func sectionObjects() -> [FakeJSON] {
        sections.map { section in
            .object([
                ("id", .int(section.id)), ("course_id", .int(id)), ("name", .string(section.name)),
                ("start_at", .null), ("end_at", .null), ("created_at", .string("2026-08-01T17:02:25Z")),
                ("restrict_enrollments_to_section_dates", .bool(false)), ("nonxlist_course_id", .null),
                ("sis_section_id", .text(section.sisSectionID)), ("sis_course_id", .text(sisCourseID)),
                ("integration_id", .null), ("sis_import_id", .null),
            ])
        }
    }

    /// `GET /api/v1/courses/:id/assignment_groups?include[]=assignments&include[]=overrides`.
    func groupObjects(base: String, assignments: Bool, overrides: Bool) -> [FakeJSON] {
        groups.map { group in
            var members: [(String, FakeJSON)] = [
                ("id", .int(group.id)), ("name", .string(group.name)), ("position", .int(group.position)),
                ("group_weight", .number(group.weight)), ("sis_source_id", .text(group.sisSourceID)),
                ("integration_data", .object([])), ("rules", .object([])),
            ]
            if assignments {
                members.append(("assignments", .array(group.assignments.map { assignmentObject($0, group: group, base: base, overrides: overrides) })))
            }
            return .object(members)
        }
    }

    func assignmentObject(_ a: Assignment, group: Group, base: String, overrides: Bool) -> FakeJSON {
        var members: [(String, FakeJSON)] = [
            ("id", .int(a.id)), ("description", .string("<p>\(name), \(a.name)</p>")),
            ("due_at", .text(a.dueAt)), ("unlock_at", .text(a.unlockAt)), ("lock_at", .text(a.dueAt)),
            ("points_possible", a.pointsPossible.map { .number($0) } ?? .null), ("grading_type", .string(a.gradingType)),
            ("assignment_group_id", .int(group.id)), ("grading_standard_id", .null),
            ("created_at", .string("2026-08-20T21:14:03Z")), ("updated_at", .string("2026-08-21T15:27:52Z")),
            ("peer_reviews", .bool(false)), ("automatic_peer_reviews", .bool(false)), ("position", .int(a.position)),
            ("grade_group_students_individually", .bool(false)), ("anonymous_peer_reviews", .bool(false)),
            ("group_category_id", .null), ("post_to_sis", .bool(a.postToSIS)), ("moderated_grading", .bool(false)),
            ("omit_from_final_grade", .bool(false)), ("intra_group_peer_reviews", .bool(false)),
            ("anonymous_instructor_annotations", .bool(false)), ("anonymous_grading", .bool(false)),
            ("graders_anonymous_to_graders", .bool(false)), ("grader_count", .int(0)),
            ("grader_comments_visible_to_graders", .bool(true)), ("final_grader_id", .null),
            ("grader_names_visible_to_final_grader", .bool(true)), ("allowed_attempts", .int(-1)),
            ("secure_params", .string("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJsdGlfYXNzaWdubWVudF9pZCI6ImY0MmE5MWU4In0.ANX78b-\(a.id)")),
            ("course_id", .int(id)), ("name", .string(a.name)),
            ("submission_types", .array(a.submissionTypes.map { .string($0) })),
            ("has_submitted_submissions", .bool(true)), ("due_date_required", .bool(false)),
            ("max_name_length", .int(255)), ("in_closed_grading_period", .bool(false)),
            ("is_quiz_assignment", .bool(false)), ("can_duplicate", .bool(true)), ("original_course_id", .null),
            ("original_assignment_id", .null), ("original_assignment_name", .null), ("original_quiz_id", .null),
            ("workflow_state", .string(a.published ? "published" : "unpublished")), ("muted", .bool(a.postManually)),
            ("html_url", htmlURL(base, "/assignments/\(a.id)")), ("has_overrides", .bool(false)),
            ("needs_grading_count", .int(0)), ("sis_assignment_id", .null), ("integration_id", .null),
            ("integration_data", .object([])), ("published", .bool(a.published)), ("unpublishable", .bool(false)),
            ("only_visible_to_overrides", .bool(false)), ("locked_for_user", .bool(false)),
            ("submissions_download_url", htmlURL(base, "/assignments/\(a.id)/submissions?zip=1")),
            ("post_manually", .bool(a.postManually)), ("anonymize_students", .bool(false)),
            ("require_lockdown_browser", .bool(false)),
        ]
        if overrides { members.append(("overrides", .array([]))) }
        return .object(members)
    }

    /// `GET /api/v1/courses/:id/students/submissions?student_ids[]=all`, in (assignment, user)
    /// order.
    func submissionObjects(base: String, in range: Range<Int>) -> [FakeJSON] {
        submissions[range].map { s in
            let graded = s.gradedAt != nil
            let grade: FakeJSON = s.excused ? .null : (s.score.map { .string(Self.gradeText($0)) } ?? .null)
            return .object([
                ("id", .int(s.assignmentID * 100_000 + s.userID)), ("body", .null), ("url", .null),
                ("grade", grade), ("score", s.score.map { .number($0) } ?? .null),
                ("submitted_at", graded ? .string("2026-09-30T16:20:10Z") : .null),
                ("assignment_id", .int(s.assignmentID)), ("user_id", .int(s.userID)),
                ("submission_type", graded ? .string("online_upload") : .null),
                ("workflow_state", .string(graded ? "graded" : "unsubmitted")),
                ("grade_matches_current_submission", .bool(true)), ("graded_at", .text(s.gradedAt)),
                ("grader_id", graded ? .int(21) : .null), ("attempt", graded ? .int(1) : .null),
                ("cached_due_date", .null), ("excused", .bool(s.excused)), ("late_policy_status", .null),
                ("points_deducted", .null), ("grading_period_id", .null), ("extra_attempts", .null),
                ("posted_at", .text(s.postedAt)), ("late", .bool(false)), ("missing", .bool(false)),
                ("seconds_late", .int(0)), ("entered_grade", grade), ("entered_score", s.score.map { .number($0) } ?? .null),
                ("preview_url", htmlURL(base, "/assignments/\(s.assignmentID)/submissions/\(s.userID)?preview=1&version=1")),
                ("anonymous_id", .string("a\(s.userID % 10_000)")),
            ])
        }
    }

    /// `80.0` as Canvas's `grade` text, `80`.
    static func gradeText(_ score: String) -> String {
        score.hasSuffix(".0") ? String(score.dropLast(2)) : score
    }

    /// `GET /api/v1/courses/:id/enrollments?type[]=StudentEnrollment&...`: one per student and
    /// section.
    var enrollmentCount: Int { students.reduce(0) { $0 + $1.sectionIDs.count } }

    func enrollmentObjects(base: String, in range: Range<Int>) -> [FakeJSON] {
        var out: [FakeJSON] = []
        var index = -1
        for student in students {
            for sectionID in student.sectionIDs {
                index += 1
                guard range.contains(index) else { continue }
                let section = sections.first { $0.id == sectionID }
                out.append(
                    .object([
                        ("id", .int(student.userID * 10 + sectionID % 10)), ("user_id", .int(student.userID)), ("course_id", .int(id)),
                        ("type", .string("StudentEnrollment")), ("created_at", .string("2026-08-19T17:05:37Z")),
                        ("updated_at", .string("2026-08-25T16:36:54Z")), ("associated_user_id", .null), ("start_at", .null),
                        ("end_at", .null), ("course_section_id", .int(sectionID)), ("root_account_id", .int(1)),
                        ("limit_privileges_to_course_section", .bool(false)), ("enrollment_state", .string("active")),
                        ("role", .string("StudentEnrollment")), ("role_id", .int(3)),
                        ("last_activity_at", .string("2026-09-27T13:12:28Z")), ("last_attended_at", .null),
                        ("total_activity_time", .int(2438)), ("sis_import_id", .null),
                        (
                            "grades",
                            .object([
                                ("html_url", htmlURL(base, "/grades/\(student.userID)")), ("current_grade", .null),
                                ("current_score", .null), ("final_grade", .null), ("final_score", .null),
                                ("unposted_current_score", .null), ("unposted_current_grade", .null),
                                ("unposted_final_score", .null), ("unposted_final_grade", .null),
                            ])
                        ),
                        ("sis_account_id", .null), ("sis_course_id", .text(sisCourseID)), ("course_integration_id", .null),
                        ("sis_section_id", .text(section?.sisSectionID)), ("section_integration_id", .null),
                        ("sis_user_id", .text(student.sisUserID)), ("html_url", htmlURL(base, "/users/\(student.userID)")),
                        (
                            "user",
                            .object([
                                ("id", .int(student.userID)), ("name", .string(student.name)),
                                ("created_at", .string("2026-08-19T10:51:47-06:00")), ("sortable_name", .string(student.sortableName)),
                                ("short_name", .string(student.name)), ("sis_user_id", .text(student.sisUserID)),
                                ("integration_id", .null), ("sis_import_id", .null), ("login_id", .string(student.loginID)),
                            ])
                        ),
                    ]))
            }
        }
        return out
    }
}
