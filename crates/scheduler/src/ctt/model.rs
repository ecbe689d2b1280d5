//! Plain data types of a CB-CTT instance and its solutions.

use std::fmt;

/// A course: a number of interchangeable lectures taught by one teacher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    /// Course identifier as written in the instance file.
    pub id: String,
    /// Teacher identifier; courses sharing a teacher conflict.
    pub teacher: String,
    /// Number of lectures that must be scheduled.
    pub lectures: usize,
    /// Minimum number of distinct days the lectures should spread over.
    pub min_working_days: usize,
    /// Number of students attending each lecture.
    pub students: usize,
}

/// A room with its seating capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Room identifier as written in the instance file (an opaque string).
    pub id: String,
    /// Number of seats.
    pub capacity: usize,
}

/// A curriculum: a set of courses whose lectures must not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curriculum {
    /// Curriculum identifier as written in the instance file.
    pub id: String,
    /// Indices into [`Instance::courses`].
    pub courses: Vec<usize>,
}

/// One unavailability line: the course may not be taught at this day and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailability {
    /// Index into [`Instance::courses`].
    pub course: usize,
    /// 0-based day.
    pub day: usize,
    /// 0-based time slot within the day.
    pub slot: usize,
}

/// A CB-CTT instance. Build it with [`crate::ctt::parse_instance`] or by filling
/// the fields directly (indices must be in range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Instance name from the `Name:` header.
    pub name: String,
    /// Number of days.
    pub days: usize,
    /// Number of time slots per day.
    pub periods_per_day: usize,
    /// Courses, in file order.
    pub courses: Vec<Course>,
    /// Rooms, in file order.
    pub rooms: Vec<Room>,
    /// Curricula, in file order.
    pub curricula: Vec<Curriculum>,
    /// Unavailability constraints, in file order.
    pub unavailability: Vec<Unavailability>,
}

impl Instance {
    /// Total number of periods (`days * periods_per_day`).
    pub fn periods(&self) -> usize {
        self.days * self.periods_per_day
    }

    /// Total number of lectures over all courses.
    pub fn total_lectures(&self) -> usize {
        self.courses.iter().map(|course| course.lectures).sum()
    }

    /// Index of the course with this identifier.
    pub fn course_index(&self, id: &str) -> Option<usize> {
        self.courses.iter().position(|course| course.id == id)
    }

    /// Index of the room with this identifier.
    pub fn room_index(&self, id: &str) -> Option<usize> {
        self.rooms.iter().position(|room| room.id == id)
    }

    /// Row-major `course * periods + period` matrix: true where the course is unavailable.
    pub fn unavailable_matrix(&self) -> Vec<bool> {
        let periods = self.periods();
        let mut matrix = vec![false; self.courses.len() * periods];
        for entry in &self.unavailability {
            matrix[entry.course * periods + entry.day * self.periods_per_day + entry.slot] = true;
        }
        matrix
    }

    /// For each course, the sorted, deduplicated list of courses it conflicts with
    /// (same teacher or a shared curriculum). A course never lists itself.
    pub fn conflict_neighbours(&self) -> Vec<Vec<usize>> {
        let count = self.courses.len();
        let mut neighbours = vec![Vec::new(); count];
        for curriculum in &self.curricula {
            for &first in &curriculum.courses {
                for &second in &curriculum.courses {
                    if first != second {
                        neighbours[first].push(second);
                    }
                }
            }
        }
        // Group courses by teacher with a sort, avoiding a quadratic scan.
        let mut by_teacher: Vec<usize> = (0..count).collect();
        by_teacher.sort_by(|&a, &b| self.courses[a].teacher.cmp(&self.courses[b].teacher));
        for group in
            by_teacher.chunk_by(|&a, &b| self.courses[a].teacher == self.courses[b].teacher)
        {
            for &first in group {
                for &second in group {
                    if first != second {
                        neighbours[first].push(second);
                    }
                }
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        neighbours
    }

    /// For each course, the indices of the curricula that contain it (each once).
    pub fn course_curricula(&self) -> Vec<Vec<usize>> {
        let mut result = vec![Vec::new(); self.courses.len()];
        for (index, curriculum) in self.curricula.iter().enumerate() {
            for &course in &curriculum.courses {
                if result[course].last() != Some(&index) {
                    result[course].push(index);
                }
            }
        }
        result
    }
}

/// One scheduled lecture: course `course` in room `room` at (`day`, `slot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Placement {
    /// Index into [`Instance::courses`].
    pub course: usize,
    /// Index into [`Instance::rooms`].
    pub room: usize,
    /// 0-based day.
    pub day: usize,
    /// 0-based slot within the day.
    pub slot: usize,
}

/// Error while reading an instance or solution text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CttError {
    /// 1-based line of the offending token, when known.
    pub line: Option<usize>,
    /// Human-readable description naming the section and token.
    pub message: String,
}

impl CttError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            message: message.into(),
        }
    }

    pub(crate) fn general(message: impl Into<String>) -> Self {
        Self {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for CttError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CttError {}
