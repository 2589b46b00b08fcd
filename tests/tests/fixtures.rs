//! Fixtures: users, the "A-client standard" template written out as GraphQL input, programs,
//! invites, prospects, answers and the operations the suites share.

use serde_json::{Value, json};

use crate::definitions::{Answers, bias_check, standard_definition};
use crate::helpers::{TestApp, ok, str_at, unique_email};

pub const PASSWORD: &str = "correct horse battery staple";

/// The Qualification fields every scoring assertion reads.
macro_rules! qualification_fields {
    () => {
        "id createdAt scoreBasisPoints score tier uncappedTier knockouts unknowns projectedKnockouts \
         projectedScoreBasisPoints projectedScore projectedTier verdict requalifyBy \
         templateVersion { id number } qualifiedBy { id } prospect { id } \
         explanation { key label points pointsBasisPoints weight contributionBasisPoints knockout unknown } \
         projectedExplanation { key pointsBasisPoints weight contributionBasisPoints knockout unknown } \
         answers { key value { __typename ... on YesNoAnswer { yes } ... on ScaleAnswer { scale } \
           ... on ChoiceAnswer { choice } ... on NumberAnswer { number } ... on UnknownAnswer { unknown } } } \
         outlook { plan requalifyBy answers { key value { __typename ... on YesNoAnswer { yes } \
           ... on ScaleAnswer { scale } ... on NumberAnswer { number } } } }"
    };
}

pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { \
    accessToken refreshToken expiresIn user { id email name role } } }";
pub const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { \
    accessToken refreshToken expiresIn user { id email name role } } }";
pub const CREATE_TEMPLATE: &str = "mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { \
    template { id name publishedVersion { id } latestVersion { id number status \
    criteria { key weight } } } } }";
pub const UPDATE_TEMPLATE_DRAFT: &str = "mutation($input: UpdateTemplateDraftInput!) { \
    updateTemplateDraft(input: $input) { template { id name revision publishedVersion { id number } \
    latestVersion { id number status thresholdA criteria { key weight } } versions { nodes { id number status } } } } }";
pub const PUBLISH_TEMPLATE: &str = "mutation($id: ID!) { publishTemplate(id: $id) { \
    template { id publishedVersion { id } } version { id number status publishedAt } } }";
pub const CREATE_PROGRAM: &str = "mutation($input: CreateProgramInput!) { createProgram(input: $input) { \
    program { id name mentor { id } standard { id number status } } } }";
pub const UPDATE_PROGRAM: &str = "mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { \
    program { id name revision standard { id number } } } }";
pub const CREATE_INVITE: &str = "mutation($input: CreateInviteInput!) { createInvite(input: $input) { \
    invite { id code maxUses uses revoked program { id } } } }";
pub const CREATE_PROSPECT: &str = "mutation($input: CreateProspectInput!) { createProspect(input: $input) { \
    prospect { id name company status owner { id } program { id } latestQualification { id } } } }";
pub const QUALIFY: &str = concat!(
    "mutation($input: QualifyProspectInput!) { qualifyProspect(input: $input) { qualification { ",
    qualification_fields!(),
    " } prospect { id status requalifyBy latestQualification { id } } } }"
);
pub const DECIDE: &str = "mutation($input: DecideProspectInput!) { decideProspect(input: $input) { \
    decision { id decision isException reason decidedBy { id } qualification { id } \
    biasCheck { flattered wantsToPlease fearsLosingWork onlyBecauseWeCan needsCustomWork } \
    exceptionRequest { id status } } \
    prospect { id status requalifyBy } exceptionRequest { id status } } }";
pub const REVIEW_EXCEPTION: &str = "mutation($input: ReviewExceptionInput!) { reviewException(input: $input) { \
    exceptionRequest { id status note reviewedAt reviewer { id } prospect { id status } } } }";
pub const QUALIFICATION_NODE: &str = concat!(
    "query($id: ID!) { node(id: $id) { __typename ... on Qualification { ",
    qualification_fields!(),
    " } } }"
);

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

impl Actor {
    pub fn tok(&self) -> Option<&str> {
        Some(&self.access)
    }

    fn from_auth(auth: &Value, email: String) -> Actor {
        Actor {
            id: str_at(auth, "/user/id"),
            email,
            access: str_at(auth, "/accessToken"),
            refresh: str_at(auth, "/refreshToken"),
        }
    }
}

/// A mentor with a published template, a program using it, and one mentee enrolled by invite.
#[derive(Clone, Debug)]
pub struct World {
    pub mentor: Actor,
    pub mentee: Actor,
    pub template_id: String,
    pub version_id: String,
    pub program_id: String,
    pub invite_code: String,
}

impl TestApp {
    pub async fn login(&self, email: &str, password: &str) -> Actor {
        let data = self
            .data(
                None,
                LOGIN,
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        Actor::from_auth(&data["login"], email.to_owned())
    }

    /// A mentor created the operator's way, then signed in.
    pub async fn mentor(&self) -> Actor {
        let email = unique_email("mentor");
        api::create_mentor(&self.database_url, &email, "Maria Mentor", PASSWORD)
            .await
            .expect("create mentor");
        self.login(&email, PASSWORD).await
    }

    pub async fn sign_up(&self, invite_code: &str) -> Actor {
        let email = unique_email("mentee");
        let vars = json!({ "input": { "email": email, "password": PASSWORD, "name": "Max Mentee",
                                      "inviteCode": invite_code } });
        let data = self.data(None, SIGN_UP, vars).await;
        Actor::from_auth(&data["signUp"], email)
    }

    /// Creates a template (version 1, draft); returns (template id, version id).
    pub async fn create_template(
        &self,
        mentor: &Actor,
        name: &str,
        definition: Value,
    ) -> (String, String) {
        let vars =
            json!({ "input": { "name": name, "description": "", "definition": definition } });
        let data = self.data(mentor.tok(), CREATE_TEMPLATE, vars).await;
        (
            str_at(&data, "/createTemplate/template/id"),
            str_at(&data, "/createTemplate/template/latestVersion/id"),
        )
    }

    /// Publishes the template's latest version; returns the version id.
    pub async fn publish(&self, mentor: &Actor, template_id: &str) -> String {
        let data = self
            .data(mentor.tok(), PUBLISH_TEMPLATE, json!({ "id": template_id }))
            .await;
        assert_eq!(data["publishTemplate"]["version"]["status"], "PUBLISHED");
        str_at(&data, "/publishTemplate/version/id")
    }

    /// The standard template with `policy`, published; returns (template id, version id).
    pub async fn standard_template_published(
        &self,
        mentor: &Actor,
        policy: &str,
    ) -> (String, String) {
        let (template_id, _) = self
            .create_template(mentor, "A-client standard", standard_definition(policy))
            .await;
        let version_id = self.publish(mentor, &template_id).await;
        (template_id, version_id)
    }

    pub async fn create_program(&self, mentor: &Actor, standard_version_id: &str) -> String {
        let vars = json!({ "input": { "name": "Strategy Program 2027", "description": "",
                                      "standardVersionId": standard_version_id } });
        let data = self.data(mentor.tok(), CREATE_PROGRAM, vars).await;
        str_at(&data, "/createProgram/program/id")
    }

    /// Returns (invite id, code).
    pub async fn create_invite(
        &self,
        mentor: &Actor,
        program_id: &str,
        max_uses: Option<i64>,
    ) -> (String, String) {
        let vars = json!({ "input": { "programId": program_id, "maxUses": max_uses } });
        let data = self.data(mentor.tok(), CREATE_INVITE, vars).await;
        (
            str_at(&data, "/createInvite/invite/id"),
            str_at(&data, "/createInvite/invite/code"),
        )
    }

    /// Mentor, published standard template with `policy`, program, invite and one mentee.
    pub async fn mentee_in_program(&self, policy: &str) -> World {
        let mentor = self.mentor().await;
        let (template_id, version_id) = self.standard_template_published(&mentor, policy).await;
        let program_id = self.create_program(&mentor, &version_id).await;
        let (_, invite_code) = self.create_invite(&mentor, &program_id, None).await;
        let mentee = self.sign_up(&invite_code).await;
        World {
            mentor,
            mentee,
            template_id,
            version_id,
            program_id,
            invite_code,
        }
    }

    pub async fn create_prospect(&self, mentee: &Actor, program_id: &str, name: &str) -> String {
        let vars = json!({ "input": { "programId": program_id, "name": name, "company": "Acme" } });
        let data = self.data(mentee.tok(), CREATE_PROSPECT, vars).await;
        str_at(&data, "/createProspect/prospect/id")
    }

    /// Qualifies and returns the payload `{ qualification, prospect }`.
    pub async fn qualify(
        &self,
        mentee: &Actor,
        prospect_id: &str,
        answers: &Answers,
        outlook: Option<Value>,
    ) -> Value {
        let vars = json!({ "input": { "prospectId": prospect_id, "answers": answers.json(), "outlook": outlook } });
        let data = self.data(mentee.tok(), QUALIFY, vars).await;
        data["qualifyProspect"].clone()
    }

    /// The raw response of a qualification (which may fail).
    pub async fn qualify_raw(&self, mentee: &Actor, prospect_id: &str, answers: &Answers) -> Value {
        let vars = json!({ "input": { "prospectId": prospect_id, "answers": answers.json() } });
        self.gql(mentee.tok(), QUALIFY, vars).await
    }

    /// The id of the prospect's latest qualification as its owner reads it (`null` if none).
    pub async fn latest_qualification_id(&self, mentee: &Actor, prospect_id: &str) -> Value {
        let query =
            "query($id: ID!) { node(id: $id) { ... on Prospect { latestQualification { id } } } }";
        let data = self
            .data(mentee.tok(), query, json!({ "id": prospect_id }))
            .await;
        data["node"]["latestQualification"]["id"].clone()
    }

    /// The raw response of a decision on the latest qualification, read first as a client would.
    pub async fn decide(
        &self,
        mentee: &Actor,
        prospect_id: &str,
        decision: &str,
        reason: Option<&str>,
        bias: Option<Value>,
    ) -> Value {
        let seen = self.latest_qualification_id(mentee, prospect_id).await;
        let vars = json!({ "input": { "prospectId": prospect_id, "qualificationId": seen,
                                      "decision": decision, "reason": reason, "biasCheck": bias } });
        self.gql(mentee.tok(), DECIDE, vars).await
    }

    /// A prospect qualified as DECLINE and taken on as an exception (program must use REVIEW);
    /// returns (prospect id, qualification id, decision id, exception request id).
    pub async fn pending_exception(
        &self,
        mentee: &Actor,
        program_id: &str,
    ) -> (String, String, String, String) {
        let prospect = self
            .create_prospect(mentee, program_id, "Flattering referral")
            .await;
        let q = self
            .qualify(mentee, &prospect, &Answers::knocked_out(), None)
            .await;
        assert_eq!(q["qualification"]["verdict"], "DECLINE");
        let body = self
            .decide(
                mentee,
                &prospect,
                "TAKE_ON",
                Some("Their CEO asked us personally"),
                Some(bias_check(true)),
            )
            .await;
        let d = ok(body)["decideProspect"].clone();
        assert_eq!(d["exceptionRequest"]["status"], "PENDING", "{d:#}");
        (
            prospect,
            str_at(&q, "/qualification/id"),
            str_at(&d, "/decision/id"),
            str_at(&d, "/exceptionRequest/id"),
        )
    }
}
