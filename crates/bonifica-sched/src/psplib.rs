//! Reader for the PSPLIB `.sm` format (Kolisch & Sprecher 1996): jobs with successors,
//! durations and renewable resource requests, and resource availabilities. Multi-mode
//! rows (`.mm`, continuation lines without a job number) are read too, as long as there
//! are no nonrenewable resources. The text is passed in; reading files is the caller's.

use crate::error::{Error, Result};
use crate::model::{
    Activity, CapacityProfile, Demand, Mode, Objective, Precedence, Problem, Resource,
};

struct Reader<'a> {
    file: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Reader<'a> {
    fn err(&self, line: usize, message: impl Into<String>) -> Error {
        Error::Psplib {
            file: self.file.to_string(),
            line: line + 1,
            message: message.into(),
        }
    }

    /// Index of the first line containing `marker`.
    fn find(&self, marker: &str) -> Result<usize> {
        self.lines
            .iter()
            .position(|l| l.contains(marker))
            .ok_or_else(|| self.err(self.lines.len(), format!("no `{marker}` section")))
    }

    /// Whitespace-separated integers of line `i`.
    fn numbers(&self, i: usize) -> Result<Vec<i64>> {
        self.lines[i]
            .split_whitespace()
            .map(|w| {
                w.parse::<i64>()
                    .map_err(|_| self.err(i, format!("`{w}` is not an integer")))
            })
            .collect()
    }

    /// Rows of numbers from line `from` up to the next line of stars.
    fn rows(&self, from: usize) -> Result<Vec<(usize, Vec<i64>)>> {
        let mut out = Vec::new();
        for i in from..self.lines.len() {
            let l = self.lines[i].trim();
            if l.starts_with('*') {
                return Ok(out);
            }
            if l.is_empty() || l.starts_with('-') {
                continue;
            }
            out.push((i, self.numbers(i)?));
        }
        Ok(out)
    }

    /// Value after the colon on the first line containing `key`.
    fn header_value(&self, key: &str) -> Result<i64> {
        let i = self.find(key)?;
        let l = self.lines[i];
        let after = l.split(':').nth(1).unwrap_or("");
        after
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| self.err(i, format!("no number after `{key}`")))
    }
}

/// Parses the text of a PSPLIB `.sm` (or `.mm` without nonrenewable resources) file.
/// `file` names it in error messages.
pub fn parse_sm(file: &str, text: &str) -> Result<Problem> {
    let rd = Reader {
        file,
        lines: text.lines().collect(),
    };
    let jobs = rd.header_value("jobs (incl. supersource/sink")?;
    let renewable = rd.header_value("- renewable")?;
    let nonrenewable = rd.header_value("- nonrenewable").unwrap_or(0);
    let doubly = rd.header_value("- doubly constrained").unwrap_or(0);
    if nonrenewable != 0 || doubly != 0 {
        return Err(rd.err(
            0,
            "nonrenewable and doubly constrained resources are not supported",
        ));
    }
    if !(0..=1_000_000).contains(&jobs) || !(0..=10_000).contains(&renewable) {
        return Err(rd.err(0, "implausible number of jobs or resources"));
    }
    let (n, nres) = (jobs as usize, renewable as usize);
    let precedences = read_precedences(&rd, n)?;
    let activities = read_requests(&rd, n, nres)?;
    let at = rd.find("RESOURCEAVAILABILITIES")?;
    let caps = rd.numbers(at + 2)?;
    if caps.len() != nres {
        return Err(rd.err(
            at + 2,
            format!("{} availabilities for {nres} resources", caps.len()),
        ));
    }
    let resources = caps
        .iter()
        .enumerate()
        .map(|(r, &c)| Resource {
            name: format!("R {}", r + 1),
            capacity: CapacityProfile::constant(c),
        })
        .collect();
    let p = Problem {
        activities,
        resources,
        precedences,
        setup: None,
        objective: Objective::Makespan,
        horizon: None,
    };
    p.check().map_err(|e| rd.err(0, e.to_string()))?;
    Ok(p)
}

fn read_precedences(rd: &Reader<'_>, n: usize) -> Result<Vec<Precedence>> {
    let at = rd.find("PRECEDENCE RELATIONS")?;
    let mut out = Vec::new();
    let mut seen = vec![false; n];
    for (i, row) in rd.rows(at + 2)? {
        let (job, count) = match row[..] {
            [job, _modes, count, ..] => (job, count),
            _ => return Err(rd.err(i, "expected job, modes, successor count, successors")),
        };
        let j = job_index(rd, i, job, n)?;
        seen[j] = true;
        let succ = &row[3..];
        if succ.len() as i64 != count {
            return Err(rd.err(
                i,
                format!(
                    "job {job}: {count} successors announced, {} given",
                    succ.len()
                ),
            ));
        }
        for &s in succ {
            out.push(Precedence {
                before: j,
                after: job_index(rd, i, s, n)?,
                ..Default::default()
            });
        }
    }
    if let Some(j) = seen.iter().position(|s| !s) {
        return Err(rd.err(at, format!("job {} has no precedence row", j + 1)));
    }
    Ok(out)
}

fn job_index(rd: &Reader<'_>, line: usize, job: i64, n: usize) -> Result<usize> {
    if job < 1 || job as usize > n {
        return Err(rd.err(line, format!("job {job} out of range 1..={n}")));
    }
    Ok(job as usize - 1)
}

fn read_requests(rd: &Reader<'_>, n: usize, nres: usize) -> Result<Vec<Activity>> {
    let at = rd.find("REQUESTS/DURATIONS")?;
    let mut acts: Vec<Activity> = (0..n)
        .map(|j| Activity {
            name: format!("job {}", j + 1),
            weight: 1,
            ..Default::default()
        })
        .collect();
    let mut current = None;
    for (i, row) in rd.rows(at + 2)? {
        let rest = if row.len() == nres + 3 {
            current = Some(job_index(rd, i, row[0], n)?);
            &row[1..]
        } else if row.len() == nres + 2 && current.is_some() {
            &row[..]
        } else {
            return Err(rd.err(i, format!("expected {} numbers", nres + 3)));
        };
        let Some(j) = current else { continue };
        let duration = rest[1];
        let demands = rest[2..]
            .iter()
            .enumerate()
            .filter(|x| *x.1 != 0)
            .map(|(resource, &amount)| Demand { resource, amount })
            .collect();
        acts[j].modes.push(Mode { duration, demands });
    }
    if let Some(j) = acts.iter().position(|a| a.modes.is_empty()) {
        return Err(rd.err(at, format!("job {} has no request row", j + 1)));
    }
    Ok(acts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "\
************************************************************************
jobs (incl. supersource/sink ):  4
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       1
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    2
************************************************************************
";

    #[test]
    fn reads_tiny_instance() {
        let p = parse_sm("tiny", TINY).unwrap_or_default();
        assert_eq!(p.activities.len(), 4);
        assert_eq!(p.precedences.len(), 4);
        assert_eq!(p.activities[1].modes[0].duration, 3);
        assert_eq!(
            p.activities[1].modes[0].demands,
            vec![Demand {
                resource: 0,
                amount: 2
            }]
        );
        assert_eq!(p.resources[0].capacity.initial, 2);
        assert!(p.is_classic());
    }

    #[test]
    fn bad_successor_is_located() {
        let bad = TINY.replace(
            "   2        1          1           4",
            "   2        1          1           9",
        );
        let e = parse_sm("bad.sm", &bad).unwrap_err().to_string();
        assert_eq!(e, "psplib bad.sm: line 11: job 9 out of range 1..=4");
    }
}
