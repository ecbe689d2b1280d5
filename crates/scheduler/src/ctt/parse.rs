//! Readers and writer for the `.ctt` instance format and the solution format.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::model::{Course, CttError, Curriculum, Instance, Placement, Room, Unavailability};

/// Whitespace-separated tokens with their 1-based line numbers.
struct Tokens<'a> {
    tokens: Vec<(usize, &'a str)>,
    position: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        let tokens = text
            .lines()
            .enumerate()
            .flat_map(|(index, line)| line.split_whitespace().map(move |token| (index + 1, token)))
            .collect();
        Self {
            tokens,
            position: 0,
        }
    }

    fn last_line(&self) -> usize {
        self.tokens.last().map_or(1, |&(line, _)| line)
    }

    fn next(&mut self, what: &str) -> Result<(usize, &'a str), CttError> {
        let token = self.tokens.get(self.position).copied().ok_or_else(|| {
            CttError::at(
                self.last_line(),
                format!("unexpected end of file, expected {what}"),
            )
        })?;
        self.position += 1;
        Ok(token)
    }

    fn expect(&mut self, keyword: &str) -> Result<(), CttError> {
        let (line, token) = self.next(&format!("`{keyword}`"))?;
        if token == keyword {
            Ok(())
        } else {
            Err(CttError::at(
                line,
                format!("expected `{keyword}`, found `{token}`"),
            ))
        }
    }

    fn number(&mut self, what: &str) -> Result<usize, CttError> {
        let (line, token) = self.next(what)?;
        token.parse().map_err(|_| {
            CttError::at(
                line,
                format!("expected a non-negative integer for {what}, found `{token}`"),
            )
        })
    }

    fn header(&mut self, keyword: &str) -> Result<usize, CttError> {
        self.expect(keyword)?;
        self.number(&format!("`{keyword}`"))
    }
}

/// Parses a `.ctt` instance (ITC-2007 track 3) read as a stream of tokens.
///
/// Errors name the section and the offending token. Unknown course IDs in
/// curricula or unavailability lines, duplicate IDs and out-of-range periods
/// are errors.
pub fn parse_instance(text: &str) -> Result<Instance, CttError> {
    let mut tokens = Tokens::new(text);
    tokens.expect("Name:")?;
    let name = tokens.next("the instance name")?.1.to_string();
    let course_count = tokens.header("Courses:")?;
    let room_count = tokens.header("Rooms:")?;
    let days = tokens.header("Days:")?;
    let periods_per_day = tokens.header("Periods_per_day:")?;
    let curriculum_count = tokens.header("Curricula:")?;
    let constraint_count = tokens.header("Constraints:")?;
    if days == 0 || periods_per_day == 0 {
        return Err(CttError::general(
            "header: `Days:` and `Periods_per_day:` must be positive",
        ));
    }

    tokens.expect("COURSES:")?;
    let mut courses = Vec::with_capacity(course_count);
    let mut course_ids = HashMap::new();
    for index in 0..course_count {
        let (line, id) = tokens.next("a course ID in COURSES")?;
        let teacher = tokens.next("a teacher ID in COURSES")?.1.to_string();
        let lectures = tokens.number(&format!("the lecture count of course `{id}` in COURSES"))?;
        let min_working_days = tokens.number(&format!(
            "the minimum working days of course `{id}` in COURSES"
        ))?;
        let students = tokens.number(&format!("the student count of course `{id}` in COURSES"))?;
        if course_ids.insert(id, index).is_some() {
            return Err(CttError::at(
                line,
                format!("duplicate course ID `{id}` in COURSES"),
            ));
        }
        courses.push(Course {
            id: id.to_string(),
            teacher,
            lectures,
            min_working_days,
            students,
        });
    }

    tokens.expect("ROOMS:")?;
    let mut rooms = Vec::with_capacity(room_count);
    let mut room_ids = HashMap::new();
    for index in 0..room_count {
        let (line, id) = tokens.next("a room ID in ROOMS")?;
        let capacity = tokens.number(&format!("the capacity of room `{id}` in ROOMS"))?;
        if room_ids.insert(id, index).is_some() {
            return Err(CttError::at(
                line,
                format!("duplicate room ID `{id}` in ROOMS"),
            ));
        }
        rooms.push(Room {
            id: id.to_string(),
            capacity,
        });
    }

    tokens.expect("CURRICULA:")?;
    let mut curricula = Vec::with_capacity(curriculum_count);
    for _ in 0..curriculum_count {
        let id = tokens.next("a curriculum ID in CURRICULA")?.1.to_string();
        let size = tokens.number(&format!(
            "the course count of curriculum `{id}` in CURRICULA"
        ))?;
        let mut members = Vec::with_capacity(size);
        for _ in 0..size {
            let (line, course) =
                tokens.next(&format!("a course ID of curriculum `{id}` in CURRICULA"))?;
            let &course_index = course_ids.get(course).ok_or_else(|| {
                CttError::at(
                    line,
                    format!("unknown course `{course}` in curriculum `{id}` in CURRICULA"),
                )
            })?;
            if !members.contains(&course_index) {
                members.push(course_index);
            }
        }
        curricula.push(Curriculum {
            id,
            courses: members,
        });
    }

    tokens.expect("UNAVAILABILITY_CONSTRAINTS:")?;
    let mut unavailability = Vec::with_capacity(constraint_count);
    for _ in 0..constraint_count {
        let (line, course) = tokens.next("a course ID in UNAVAILABILITY_CONSTRAINTS")?;
        let &course_index = course_ids.get(course).ok_or_else(|| {
            CttError::at(
                line,
                format!("unknown course `{course}` in UNAVAILABILITY_CONSTRAINTS"),
            )
        })?;
        let day = tokens.number("a day in UNAVAILABILITY_CONSTRAINTS")?;
        let slot = tokens.number("a slot in UNAVAILABILITY_CONSTRAINTS")?;
        if day >= days || slot >= periods_per_day {
            return Err(CttError::at(
                line,
                format!(
                    "day {day} / slot {slot} of course `{course}` out of range in UNAVAILABILITY_CONSTRAINTS"
                ),
            ));
        }
        unavailability.push(Unavailability {
            course: course_index,
            day,
            slot,
        });
    }
    tokens.expect("END.")?;

    Ok(Instance {
        name,
        days,
        periods_per_day,
        courses,
        rooms,
        curricula,
        unavailability,
    })
}

/// Parses a solution the way the official validator reads it: groups of four
/// tokens `course room day slot` until end of input.
///
/// Like the validator, a group with an unknown course or room, or a day/slot out
/// of range, is skipped (its lecture then counts as unscheduled), and a second
/// group for the same course and period is skipped even if the room differs.
/// Errors only on a non-numeric day/slot or a trailing incomplete group.
pub fn parse_solution(instance: &Instance, text: &str) -> Result<Vec<Placement>, CttError> {
    let course_ids: HashMap<&str, usize> = instance
        .courses
        .iter()
        .enumerate()
        .map(|(index, course)| (course.id.as_str(), index))
        .collect();
    let room_ids: HashMap<&str, usize> = instance
        .rooms
        .iter()
        .enumerate()
        .map(|(index, room)| (room.id.as_str(), index))
        .collect();
    let mut tokens = Tokens::new(text);
    let mut placements = Vec::new();
    let mut taken = vec![false; instance.courses.len() * instance.periods()];
    while tokens.position < tokens.tokens.len() {
        let course = tokens.next("a course ID")?.1;
        let room = tokens.next("a room ID")?.1;
        let (line, day) = tokens.next("a day")?;
        let day = parse_signed(line, day, "day")?;
        let (line, slot) = tokens.next("a slot")?;
        let slot = parse_signed(line, slot, "slot")?;
        let (Some(&course), Some(&room)) = (course_ids.get(course), room_ids.get(room)) else {
            continue;
        };
        let (Ok(day), Ok(slot)) = (usize::try_from(day), usize::try_from(slot)) else {
            continue;
        };
        if day >= instance.days || slot >= instance.periods_per_day {
            continue;
        }
        let key = course * instance.periods() + day * instance.periods_per_day + slot;
        if std::mem::replace(&mut taken[key], true) {
            continue;
        }
        placements.push(Placement {
            course,
            room,
            day,
            slot,
        });
    }
    Ok(placements)
}

fn parse_signed(line: usize, token: &str, what: &str) -> Result<i64, CttError> {
    token.parse().map_err(|_| {
        CttError::at(
            line,
            format!("expected an integer {what} in solution, found `{token}`"),
        )
    })
}

/// Writes placements in the official solution format, one `course room day slot`
/// line per lecture.
pub fn write_solution(instance: &Instance, placements: &[Placement]) -> String {
    let mut out = String::with_capacity(placements.len() * 16);
    for placement in placements {
        let _ = writeln!(
            out,
            "{} {} {} {}",
            instance.courses[placement.course].id,
            instance.rooms[placement.room].id,
            placement.day,
            placement.slot
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "Name: Tiny\r\nCourses: 2\nRooms: 1\nDays: 2\nPeriods_per_day: 2\nCurricula: 1\nConstraints: 1\n\n\
        COURSES:\n c1 t1 2 2 10 \n\tc2  t2 1 1 5\nROOMS:\nR 8\nCURRICULA:\nq1 2 c1 c2\n\
        UNAVAILABILITY_CONSTRAINTS:\nc2 1 1\nEND.\n";

    #[test]
    fn parses_tokens_regardless_of_layout() {
        let instance = parse_instance(TINY).unwrap();
        assert_eq!(instance.name, "Tiny");
        assert_eq!(instance.courses.len(), 2);
        assert_eq!(instance.courses[1].teacher, "t2");
        assert_eq!(instance.rooms[0].capacity, 8);
        assert_eq!(instance.curricula[0].courses, vec![0, 1]);
        assert_eq!(
            instance.unavailability,
            vec![Unavailability {
                course: 1,
                day: 1,
                slot: 1
            }]
        );
        assert_eq!(instance.periods(), 4);
    }

    #[test]
    fn errors_name_section_and_token() {
        let broken = TINY.replace("c2  t2 1 1 5", "c2 t2 x 1 5");
        let error = parse_instance(&broken).unwrap_err();
        assert!(
            error.message.contains("COURSES") && error.message.contains("`x`"),
            "{error}"
        );
        assert_eq!(error.line, Some(11));
        let unknown = TINY.replace("q1 2 c1 c2", "q1 2 c1 c9");
        assert!(
            parse_instance(&unknown)
                .unwrap_err()
                .message
                .contains("unknown course `c9`")
        );
        let truncated = TINY.replace("END.", "");
        assert!(
            parse_instance(&truncated)
                .unwrap_err()
                .message
                .contains("END.")
        );
    }

    #[test]
    fn solution_reader_is_lenient_like_the_validator() {
        let instance = parse_instance(TINY).unwrap();
        let text = "c1 R 0 0\nc1 R 0 0\nc1 X 1 0\nc9 R 1 0\nc2 R 5 0\nc2 R 0 -1\nc1 R 1 1\n";
        let placements = parse_solution(&instance, text).unwrap();
        assert_eq!(
            placements,
            vec![
                Placement {
                    course: 0,
                    room: 0,
                    day: 0,
                    slot: 0
                },
                Placement {
                    course: 0,
                    room: 0,
                    day: 1,
                    slot: 1
                }
            ]
        );
        assert!(parse_solution(&instance, "c1 R 0").is_err());
        assert!(parse_solution(&instance, "c1 R a 0").is_err());
        let written = write_solution(&instance, &placements);
        assert_eq!(written, "c1 R 0 0\nc1 R 1 1\n");
        assert_eq!(parse_solution(&instance, &written).unwrap(), placements);
    }
}
