#!/usr/bin/env python3
"""Builds the course bundles in this folder from real Canvas API responses.

    Tests/PassbackCoreTests/Fixtures/canvas-real/make_fixtures.py [EDFI-FOLDER]

EDFI-FOLDER (default ../shared/external/canvas/edfi-lms-toolkit from the repository root) holds
Canvas REST API responses of a Canvas test instance, flattened to CSV by the Ed-Fi LMS Toolkit
(Apache-2.0; see README.md here). Their rows are read as they are (enrollments, submissions,
assignments, courses, with their real fields, ids, dates and scores), turned back into JSON in
the API's own shape (`grades.html_url` becomes `{"grades": {"html_url": ...}}`, `null` is null,
numbers are numbers, ids that Canvas writes as strings stay strings), and completed with what the
dump lacks and passback needs: SIS ids for courses, sections and terms, the sections list, the
assignment groups, `post_to_sis: true`, overrides of every kind, posting state. Each change to a
real record is made by a named function below, so what is real and what is added stays visible.

The gradebook of each bundle is written as canvas-lms `lib/gradebook_exporter.rb` writes it from
those enrollments and submissions: `Student,ID,SIS User ID,SIS Login ID,Section`, assignments
`<name> (<id>)` in group order, group and course totals, a posting row when an assignment is
posted by hand, the `    Points Possible` row with `(read only)` for totals, students sorted by
sortable name with the Test Student last, sections as `to_sentence` of the sorted names, scores
as `I18n.n(score, precision: 2)`, `EX` for excused, the letter for a `gpa_scale` assignment,
`N/A` where a student does not have the assignment, and Ruby CSV's quoting (a field is quoted
when it holds the separator, a quote or a line break).

The outputs are checked in; the tests never read EDFI-FOLDER. Run again after changing this file.
"""
import copy
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DEFAULT_DUMPS = os.path.normpath(os.path.join(ROOT, "..", "shared", "external", "canvas", "edfi-lms-toolkit"))

# Columns the API writes as strings although they look like numbers.
STRING_COLUMNS = {"sis_user_id", "sis_course_id", "sis_section_id", "sis_account_id", "login_id", "course_code", "uuid", "grade",
                  "entered_grade", "anonymous_id", "integration_id", "sis_import_id", "short_name", "name", "sortable_name"}
# Score columns the API writes as floats.
FLOAT_COLUMNS = {"score", "entered_score", "points_possible"}


def value(column, text):
    leaf = column.split(".")[-1]
    if text == "null" or text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith("[") or text.startswith("{"):
        return json.loads(text)
    if leaf in STRING_COLUMNS:
        return text
    try:
        number = int(text)
        return float(number) if leaf in FLOAT_COLUMNS else number
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def records(folder, name):
    """The rows of a dump as API objects: dotted columns nested, `undefined` left out."""
    with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
        out = []
        for row in csv.DictReader(f):
            record = {}
            for column, text in row.items():
                if text == "undefined":
                    continue
                target = record
                parts = column.split(".")
                for part in parts[:-1]:
                    target = target.setdefault(part, {})
                target[parts[-1]] = value(column, text)
            out.append(record)
        return out


# ---------------------------------------------------------------- what the dumps lack

TERM = {"id": 5, "name": "Fall Q1 2020", "sis_term_id": "GTM2020Q1", "start_at": "2020-08-17T06:00:00Z", "end_at": "2020-11-01T05:59:59Z"}


def section(section_id, course, name, sis):
    """A `GET /api/v1/courses/:id/sections` record."""
    return {"id": section_id, "course_id": course["id"], "name": name, "start_at": None, "end_at": None, "created_at": course["created_at"],
            "restrict_enrollments_to_section_dates": False, "nonxlist_course_id": None, "sis_section_id": sis,
            "sis_course_id": course.get("sis_course_id"), "integration_id": None, "sis_import_id": None}


def group(group_id, name, sis, position, assignments):
    return {"id": group_id, "name": name, "position": position, "group_weight": 0.0, "sis_source_id": sis, "integration_data": {},
            "rules": {}, "assignments": assignments}


def synced(assignment, **changes):
    """A real assignment set to sync to the SIS (the dump's are not), with `overrides` as
    `include[]=overrides` adds them."""
    a = copy.deepcopy(assignment)
    a["post_to_sis"] = True
    a.setdefault("overrides", [])
    a.update(changes)
    a["has_overrides"] = bool(a["overrides"])
    return a


def derived(assignment, new_id, name, **changes):
    """Another assignment of the course made from a real one (same shape, new id and name)."""
    a = synced(assignment, **changes)
    a["id"] = new_id
    a["name"] = name
    a["html_url"] = a["html_url"].rsplit("/", 1)[0] + f"/{new_id}"
    a["submissions_download_url"] = a["html_url"] + "/submissions?zip=1"
    return a


def override(override_id, assignment, title, **target):
    """An override as `Api::V1::AssignmentOverride#assignment_override_json` writes it."""
    o = {"id": override_id, "assignment_id": assignment["id"], "title": title, "unassign_item": False}
    o.update(target)
    return o


def enrolled(enrollment, section_id, **changes):
    """A real enrollment, in another section of the course (or with other fields)."""
    e = copy.deepcopy(enrollment)
    e["course_section_id"] = section_id
    e.update(changes)
    return e


def submission_for(submission, assignment_id, **changes):
    """A real submission, for another (derived) assignment."""
    s = copy.deepcopy(submission)
    s["assignment_id"] = assignment_id
    s["id"] = s["id"] * 100 + assignment_id
    s["preview_url"] = None
    s.update(changes)
    return s


# ---------------------------------------------------------------- the gradebook, as Canvas exports it

GPA_SCALE = [("A", 3.8), ("A-", 3.5), ("B+", 3.2), ("B", 2.8), ("B-", 2.5), ("C", 1.5), ("F", 0.0)]


def format_number(number, decimal="."):
    """`I18n.n(number, precision: 2)`: two decimals, the locale's separator, no thousands mark."""
    if number is None:
        return None
    text = f"{number:.2f}"
    return text.replace(".", decimal)


def letter(score, points):
    """`Assignment#score_to_grade` for a `gpa_scale` assignment (a 4-point scale, by share)."""
    share = score / points * 4.0 if points else 0
    for name, floor in GPA_SCALE:
        if share >= floor:
            return name
    return "F"


def to_sentence(names):
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + ", and " + names[-1]


def write_csv(path, rows, separator=",", bom=False):
    def cell(text):
        if text is None:
            return ""
        text = str(text)
        if separator in text or '"' in text or "\n" in text or "\r" in text:
            return '"' + text.replace('"', '""') + '"'
        return text
    with open(path, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        for row in rows:
            f.write(separator.join(cell(c) for c in row) + "\n")


def gradebook(bundle, path, decimal=".", separator=",", read_only="(read only)", bom=False, cell_overrides=None, test_student=99):
    """The gradebook export of `bundle` (its enrollments, sections, groups and submissions)."""
    sections = {s["id"]: s["name"] for s in bundle["sections"]}
    groups = bundle["assignment_groups"]
    assignments = [a for g in sorted(groups, key=lambda g: g["position"]) for a in g["assignments"]]
    students = {}
    for e in bundle["enrollments"]:
        user = students.setdefault(e["user_id"], {"user": e["user"], "sis": e["sis_user_id"], "sections": []})
        user["sections"].append(sections[e["course_section_id"]])
    for user_id, extra in bundle.get("_unenrolled_students", {}).items():
        students[user_id] = extra
    submissions = {(s["user_id"], s["assignment_id"]): s for s in bundle["submissions"]}
    unassigned = bundle.get("_not_assigned", set())

    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [f"{a['name']} ({a['id']})" for a in assignments]
    totals = []
    for g in groups:
        totals += [f"{g['name']} {t}" for t in ["Current Points", "Final Points", "Current Score", "Unposted Current Score", "Final Score", "Unposted Final Score"]]
    totals += ["Current Points", "Final Points", "Current Score", "Unposted Current Score", "Final Score", "Unposted Final Score"]
    rows = [header + totals]
    if any(a.get("post_manually") for a in assignments):
        rows.append([None] * 5 + ["Manual Posting" if a.get("post_manually") else None for a in assignments] + [None] * len(totals))
    rows.append(["    Points Possible", None, None, None, None] + [format_number(a["points_possible"], decimal) for a in assignments] + [read_only] * len(totals))

    def total(user_id, group_assignments):
        scores = [submissions[(user_id, a["id"])]["score"] for a in group_assignments if (user_id, a["id"]) in submissions and submissions[(user_id, a["id"])].get("score") is not None]
        possible = sum(a["points_possible"] for a in group_assignments)
        points = sum(scores) if scores else None
        share = points / possible * 100 if points is not None and possible else None
        return [format_number(points, decimal), format_number(points, decimal), format_number(share, decimal), format_number(share, decimal), format_number(share, decimal), format_number(share, decimal)]

    ordered = sorted(students.items(), key=lambda kv: kv[1]["user"]["sortable_name"])
    for user_id, student in ordered:
        cells = []
        for a in assignments:
            s = submissions.get((user_id, a["id"]))
            if (user_id, a["id"]) in unassigned:
                cells.append("N/A")
            elif s is None:
                cells.append(None)
            elif s.get("excused"):
                cells.append("EX")
            elif a["grading_type"] == "gpa_scale" and s.get("score") is not None:
                cells.append(letter(s["score"], a["points_possible"]))
            else:
                cells.append(format_number(s.get("score"), decimal))
        for (u, assignment_id), text in (cell_overrides or {}).items():
            if u == user_id:
                cells[[a["id"] for a in assignments].index(assignment_id)] = text
        row_totals = []
        for g in groups:
            row_totals += total(user_id, g["assignments"])
        row_totals += total(user_id, assignments)
        user = student["user"]
        rows.append([user["sortable_name"], user_id, student["sis"], user["login_id"], to_sentence(sorted(student["sections"]))] + cells + row_totals)
    if test_student:
        first = sorted(sections.values())[0]
        rows.append(["Student, Test", test_student, None, "3f1c9a7e2b6d4e80", first] + [None] * len(assignments) + [None] * len(totals))
    write_csv(path, rows, separator=separator, bom=bom)


def write_bundle(stem, bundle, **gradebook_options):
    public = {k: v for k, v in bundle.items() if not k.startswith("_")}
    with open(os.path.join(HERE, f"{stem}.canvas.json"), "w", encoding="utf-8") as f:
        json.dump(public, f, indent=1, ensure_ascii=False)
        f.write("\n")
    gradebook(bundle, os.path.join(HERE, f"{stem}.gradebook.csv"), **gradebook_options)


# ---------------------------------------------------------------- the courses

def english(dumps):
    """Course 14, English I: two sections both named "Period 1" (Canvas allows it), the default
    section (named after the course, no SIS id), students in two sections at once."""
    course = next(c for c in dumps["courses"] if c["id"] == 14)
    course = dict(course, sis_course_id="CRS-ENG1", term=TERM)
    p1a = section(5, course, "Period 1", "MST-ENG1-P1A")
    p1b = section(8, course, "Period 1", "MST-ENG1-P1B")
    default = section(9, course, "English I", None)
    homework = next(a for a in dumps["assignments"] if a["id"] == 7)
    reading = next(a for a in dumps["assignments"] if a["id"] == 3)
    real = {e["user_id"]: e for e in dumps["enrollments"] if e["course_id"] == 14}
    enrollments = [
        real[13],                                # Mary Archer: Period 1 (A)
        enrolled(real[18], 8),                   # Stephen Caldwell: Period 1 (B)
        enrolled(real[19], 8),                   # Olivia Doris Hardy: Period 1 (B)
        real[14], enrolled(real[14], 8, id=31),  # Kyle Hughes: both sections named Period 1
        real[20], enrolled(real[20], 9, id=32),  # Micheal Turner: Period 1 (A) and the default section
    ]
    # User 23 has submissions in the dump but no enrollment: a student of the default section only.
    enrollments.append(enrolled(real[20], 9, id=33, user_id=23, sis_user_id="605101",
                                user=dict(real[20]["user"], id=23, name="Dana Reyes", sortable_name="Reyes, Dana", short_name="Dana Reyes",
                                          sis_user_id="605101", login_id="dana.reyes@example.com")))
    submissions = [s for s in dumps["submissions"] if s["assignment_id"] in (7, 3)]
    return {
        "course": course,
        "sections": [p1a, p1b, default],
        "assignment_groups": [
            group(20, "Homework", "GCT-ENG1-HW", 1, [synced(homework)]),
            group(14, "Reading", "GCT-ENG1-RD", 2, [synced(reading)]),
        ],
        "submissions": submissions,
        "enrollments": enrollments,
    }


def algebra(dumps, course_id=16, sections=((7, "Period 3", "MST-ALG1-P3"), (11, "Period 4", "MST-ALG1-P4")), sis_course="CRS-ALG1", paths=False):
    """Course 16, Algebra I, with overrides of the kinds Canvas writes every day ("Everyone"
    with its own date, a section taken out), a GPA-scale quiz (letter grades with scores), an
    excused grade, grades not posted yet, and a 1500-point project (thousands)."""
    course = next(c for c in dumps["courses"] if c["id"] == 16)
    course = dict(course, id=course_id, sis_course_id=sis_course, term=TERM)
    (s1, n1, sis1), (s2, n2, sis2) = sections
    period3 = section(s1, course, n1, sis1)
    period4 = section(s2, course, n2, sis2)
    hw1 = next(a for a in dumps["assignments"] if a["id"] == 5)
    hw2 = next(a for a in dumps["assignments"] if a["id"] == 6)
    # "Everyone" (a Course override) with its own due date: visible to overrides only, so the
    # override is what assigns it to the whole course.
    everyone = synced(hw1, only_visible_to_overrides=True)
    everyone["overrides"] = [override(501, everyone, "Everyone", course_id=course_id, due_at="2020-08-21T05:59:59Z", all_day=True, all_day_date="2020-08-20")]
    everyone["has_overrides"] = True
    # Period 4 taken out of Homework 2.
    taken_out = synced(hw2)
    taken_out["overrides"] = [override(502, taken_out, n2, course_section_id=s2, unassign_item=True)]
    taken_out["has_overrides"] = True
    quiz = derived(hw2, 12, "ALG Quiz 1", grading_type="gpa_scale", points_possible=4.0, assignment_group_id=21)
    project = derived(hw1, 13, "ALG Project", points_possible=1500.0, assignment_group_id=21, post_manually=True)
    quizzes = [quiz, project]
    if paths:
        # Mastery Paths (a Noop override) and an override of a kind passback does not know.
        path = derived(hw2, 14, "ALG Path Practice", only_visible_to_overrides=True, assignment_group_id=21)
        path["overrides"] = [override(503, path, "Mastery Paths", noop_id=1)]
        tagged = derived(hw1, 15, "ALG Tagged Practice", only_visible_to_overrides=True, assignment_group_id=21)
        tagged["overrides"] = [override(504, tagged, "Advanced learners", differentiation_tag_id=4)]
        for a in (path, tagged):
            a["has_overrides"] = True
        quizzes += [path, tagged]
    real = {e["user_id"]: e for e in dumps["enrollments"] if e["course_id"] == 16}
    enrollments = [
        enrolled(real[13], s1, course_id=course_id), enrolled(real[14], s1, course_id=course_id), enrolled(real[15], s1, course_id=course_id),
        enrolled(real[16], s2, course_id=course_id), enrolled(real[17], s2, course_id=course_id),
    ]
    real_submissions = [s for s in dumps["submissions"] if s["assignment_id"] in (5, 6)]
    by = {(s["user_id"], s["assignment_id"]): s for s in real_submissions}
    submissions = list(real_submissions)
    # The quiz: letter grades in the gradebook, scores in the submissions.
    submissions += [submission_for(by[(13, 5)], 12, score=3.7, grade="A-", entered_score=3.7, entered_grade="A-"),
                    submission_for(by[(16, 5)], 12, score=3.3, grade="B+", entered_score=3.3, entered_grade="B+"),
                    submission_for(by[(15, 5)], 12, score=None, grade=None, entered_score=None, entered_grade=None, excused=True)]
    # The project, posted by hand: two grades not posted yet, one posted.
    submissions += [submission_for(by[(13, 5)], 13, score=1200.5, grade="1200.5", entered_score=1200.5, entered_grade="1200.5"),
                    submission_for(by[(16, 5)], 13, score=1350.0, grade="1350", entered_score=1350.0, entered_grade="1350", posted_at=None),
                    submission_for(by[(15, 5)], 13, score=990.0, grade="990", entered_score=990.0, entered_grade="990", posted_at=None)]
    if paths:
        submissions += [submission_for(by[(13, 5)], 14), submission_for(by[(13, 5)], 15)]
    for s in submissions:
        s["preview_url"] = (s.get("preview_url") or "").replace("/courses/16/", f"/courses/{course_id}/") or None
    bundle = {
        "course": course,
        "sections": [period3, period4],
        "assignment_groups": [group(19, "Homework", "GCT-ALG1-HW", 1, [everyone, taken_out]), group(21, "Quizzes", "GCT-ALG1-QZ", 2, quizzes)],
        "submissions": submissions,
        "enrollments": enrollments,
        "_not_assigned": {(16, 6), (17, 6)},
    }
    return bundle


def categories():
    rows = [["categorySourcedId", "title", "classSourcedId", "termSourcedId", "termCode", "termStartDate", "termEndDate", "schoolId", "status", "verifiedAt"]]
    def add(section, items):
        for cid, title in items:
            rows.append([cid, title, section, "GTM2020Q1", "Q1", "2020-08-17", "2020-10-31", "702", "active", "2020-08-10T00:00:00Z"])
    for s in ("MST-ENG1-P1A", "MST-ENG1-P1B"):
        add(s, [("GCT-ENG1-HW", "Homework"), ("GCT-ENG1-RD", "Reading")])
    for s in ("MST-ALG1-P3", "MST-ALG1-P4", "MST-GEO1-P5", "MST-GEO1-P6"):
        add(s, [("GCT-ALG1-HW", "Homework"), ("GCT-ALG1-QZ", "Quizzes")])
    write_csv(os.path.join(HERE, "aspire-2020-q1.categories.csv"), rows)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DUMPS
    dumps = {
        "courses": records(folder, "canvas_api_courses.csv"),
        "enrollments": records(folder, "canvas_api_enrollments.csv"),
        "submissions": records(folder, "canvas_api_submissions.csv"),
        "assignments": records(folder, "canvas_api_assignments.csv"),
    }
    eng = english(dumps)
    write_bundle("english-14", eng)
    names_only = {k: v for k, v in eng.items() if k != "enrollments"}
    names_only["_unenrolled_students"] = {}
    with open(os.path.join(HERE, "english-14-names.canvas.json"), "w", encoding="utf-8") as f:
        json.dump({k: v for k, v in names_only.items() if not k.startswith("_")}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    gradebook(eng, os.path.join(HERE, "english-14-names.gradebook.csv"))

    write_bundle("algebra-16", algebra(dumps), cell_overrides={(13, 13): "1,200.50"})
    write_bundle("algebra-16-paths", algebra(dumps, paths=True))
    # The same course as a German-speaking teacher exports it, without the semicolon setting:
    # decimal commas in a comma-separated file (quoted), `(schreibgeschützt)`, a byte-order mark,
    # and one cell saved again by a spreadsheet with a thousands mark.
    geometry = algebra(dumps, course_id=26, sections=((27, "Periode 5", "MST-GEO1-P5"), (28, "Periode 6", "MST-GEO1-P6")), sis_course="CRS-GEO1")
    geometry["_not_assigned"] = {(16, 6), (17, 6)}
    write_bundle("geometry-26-de", geometry, decimal=",", read_only="(schreibgeschützt)", bom=True, cell_overrides={(13, 13): "1.200,50"})
    categories()


if __name__ == "__main__":
    main()
