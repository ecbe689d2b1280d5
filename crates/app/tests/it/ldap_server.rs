//! A real OpenLDAP `slapd` (Debian's package) for the directory sign-in tests: its own
//! temporary folder, a `slapd.conf`, the people loaded with `slapadd`, a free port.

use crate::support::TempDir;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE_DN: &str = "dc=skillbridge,dc=test";
pub const SERVICE_DN: &str = "cn=service,dc=skillbridge,dc=test";
pub const SERVICE_PASSWORD: &str = "service-pass";

/// One person of the directory.
pub struct Person<'a> {
    pub uid: &'a str,
    pub password: &'a str,
    pub employee_no: Option<&'a str>,
    pub mail: Option<&'a str>,
}

/// A running slapd, stopped and removed on drop.
pub struct Slapd {
    child: Child,
    _dir: TempDir,
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The settings of a directory on `port` with the test's service account.
pub fn settings(port: u16) -> service::sso::LdapSettings {
    service::sso::LdapSettings {
        url: format!("ldap://127.0.0.1:{port}"),
        bind_dn: SERVICE_DN.into(),
        bind_password: SERVICE_PASSWORD.into(),
        base_dn: format!("ou=people,{BASE_DN}"),
        user_filter: "(&(objectClass=inetOrgPerson)(uid={username}))".into(),
        employee_no_attribute: "employeeNumber".into(),
        email_attribute: "mail".into(),
        timeout_secs: 5,
    }
}

fn binary(name: &str) -> String {
    let path = format!("/usr/sbin/{name}");
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: apt-get install slapd ldap-utils (.ci/run does)"
    );
    path
}

impl Slapd {
    /// Starts slapd on `port` with `people` under `ou=people`.
    pub fn start(port: u16, people: &[Person<'_>]) -> Self {
        let dir = TempDir::new();
        let db = dir.0.join("db");
        std::fs::create_dir_all(&db).unwrap();
        let conf = dir.0.join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 pidfile {pid}\n\
                 database mdb\n\
                 maxsize 10485760\n\
                 suffix \"{BASE_DN}\"\n\
                 rootdn \"cn=admin,{BASE_DN}\"\n\
                 rootpw admin-pass\n\
                 directory {db}\n\
                 access to attrs=userPassword by self read by anonymous auth by * none\n\
                 access to * by dn.exact=\"{SERVICE_DN}\" read by * none\n",
                pid = dir.0.join("slapd.pid").display(),
                db = db.display(),
            ),
        )
        .unwrap();
        let mut ldif = format!(
            "dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Skillbridge test\ndc: skillbridge\n\n\
             dn: ou=people,{BASE_DN}\nobjectClass: organizationalUnit\nou: people\n\n\
             dn: {SERVICE_DN}\nobjectClass: person\ncn: service\nsn: service\nuserPassword: {SERVICE_PASSWORD}\n\n"
        );
        for p in people {
            ldif.push_str(&format!(
                "dn: uid={uid},ou=people,{BASE_DN}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\nuserPassword: {pw}\n",
                uid = p.uid,
                pw = p.password
            ));
            if let Some(no) = p.employee_no {
                ldif.push_str(&format!("employeeNumber: {no}\n"));
            }
            if let Some(mail) = p.mail {
                ldif.push_str(&format!("mail: {mail}\n"));
            }
            ldif.push('\n');
        }
        let data = dir.0.join("people.ldif");
        std::fs::write(&data, ldif).unwrap();
        let out = Command::new(binary("slapadd"))
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&data)
            .output()
            .expect("slapadd runs");
        assert!(
            out.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let child = Command::new(binary("slapd"))
            .arg("-h")
            .arg(format!("ldap://127.0.0.1:{port}/"))
            .arg("-f")
            .arg(&conf)
            // In the foreground (the test owns the process), logging nothing.
            .arg("-d")
            .arg("0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd starts");
        let slapd = Self { child, _dir: dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "slapd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        slapd
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
