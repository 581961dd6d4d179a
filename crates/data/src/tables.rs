//! Table and column identifiers of every tenant and platform table, for sea-query.

use sea_query::Iden;

#[derive(Iden)]
pub(crate) enum Accounts {
    Table,
    TenantId,
    Id,
    Kind,
    Code,
    Name,
    LegalName,
    TaxId,
    Email,
    Phone,
    Street,
    City,
    State,
    PostalCode,
    Country,
    OwnerId,
    BranchesEnabled,
    Active,
    SortName,
    SearchText,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Branches {
    Table,
    TenantId,
    Id,
    AccountId,
    Code,
    Name,
    Street,
    City,
    State,
    PostalCode,
    Country,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
pub(crate) enum ApiKeys {
    Table,
    TenantId,
    Id,
    Name,
    Role,
    KeyHash,
    Prefix,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum AuditEvents {
    Table,
    TenantId,
    Id,
    OccurredAt,
    ActorKind,
    ActorId,
    Action,
    SubjectKind,
    SubjectId,
    RelatedId,
    Changes,
    RequestId,
}

#[derive(Iden)]
pub(crate) enum StaffUsers {
    Table,
    TenantId,
    Id,
    Name,
    Email,
    Role,
    PasswordHash,
    Status,
    Locale,
    CreatedAt,
    UpdatedAt,
    LastSignInAt,
    MustChangePassword,
    SessionEpoch,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Contacts {
    Table,
    TenantId,
    Id,
    TitleId,
    FirstName,
    LastName,
    Nickname,
    Position,
    Department,
    CategoryId,
    OwnerId,
    Notes,
    Preferences,
    IdDocType,
    IdDocNumber,
    Nationality,
    LicenceNumber,
    LicenceCategory,
    LicenceExpiry,
    Email,
    PersonalEmail,
    Phone,
    Mobile,
    Fax,
    FacebookUrl,
    LinkedinUrl,
    XUrl,
    Street,
    City,
    State,
    PostalCode,
    Country,
    EmailOptOut,
    PreferredLanguage,
    ImportantDates,
    PhotoId,
    CustomerPortal,
    SupplierPortal,
    PortalActivatedAt,
    PortalSignedInAt,
    PortalStatus,
    PortalLockedUntil,
    PortalSessionEpoch,
    PortalPasswordHash,
    DisplayName,
    SortName,
    SearchText,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ContactImports {
    Table,
    TenantId,
    Id,
    FileName,
    CreatedBy,
    CreatedAt,
    State,
    UpdatedAt,
    TotalRows,
    Creates,
    Updates,
    Links,
    Unchanged,
    Errors,
    Failure,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ContactImportRows {
    Table,
    TenantId,
    ImportId,
    Line,
    Action,
    ContactId,
    Name,
    Email,
    Detail,
}

#[derive(Iden)]
pub(crate) enum ContactLinks {
    Table,
    TenantId,
    Id,
    ContactId,
    AccountId,
    AccountKind,
    Position,
    IsPrimary,
    AllBranches,
    ApprovalLimit,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ContactTitles {
    Table,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ContactCategories {
    Table,
}

#[derive(Iden)]
pub(crate) enum Entry {
    TenantId,
    Id,
    Name,
    Sort,
    ArchivedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum MailOutbox {
    Table,
    TenantId,
    Id,
    ToAddress,
    ToName,
    Subject,
    BodyText,
    BodyHtml,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Records {
    Contacts,
    Accounts,
    Id,
    DisplayName,
    Name,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Named {
    StaffUsers,
    ContactTitles,
    ContactCategories,
    Branches,
    TenantId,
    Id,
    Name,
}

#[derive(Iden)]
pub(crate) enum PlatformOperators {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    CreatedAt,
    LastSignInAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PortalRoles {
    Table,
    TenantId,
    Id,
    Portal,
    SeedKey,
    NameEs,
    NameEn,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PortalRolePermissions {
    Table,
    TenantId,
    RoleId,
    Permission,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum LinkRoles {
    Table,
    TenantId,
    LinkId,
    RoleId,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum LinkPermissions {
    Table,
    TenantId,
    LinkId,
    Permission,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum LinkBranches {
    Table,
    TenantId,
    LinkId,
    BranchId,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PortalTokens {
    Table,
    ContactId,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PortalDefaultRoles {
    Table,
    TenantId,
    Portal,
    RoleId,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum StaffTokens {
    Table,
    StaffUserId,
}

#[derive(Iden)]
pub(crate) enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    Locale,
    Currency,
    Status,
    MaxContacts,
    ContactRequired,
    PolicyVersion,
    FourEyes,
    PriceTolerance,
    LegalName,
    TaxId,
    Address,
    LogoId,
    Rounding,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Invoices {
    Table,
    TenantId,
    Id,
    AccountId,
    BranchId,
    Kind,
    Number,
    ExternalRef,
    IssuedOn,
    DueOn,
    Currency,
    Subtotal,
    Tax,
    Total,
    Balance,
    Notes,
    Digest,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum InvoiceLines {
    Table,
    TenantId,
    InvoiceId,
    Position,
    ItemCode,
    Description,
    Quantity,
    UnitPrice,
    TaxRate,
    Net,
    Tax,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Payments {
    Table,
    TenantId,
    Id,
    AccountId,
    BranchId,
    Number,
    ExternalRef,
    ReceivedOn,
    Currency,
    Method,
    Reference,
    Amount,
    Unapplied,
    Digest,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Applications {
    Table,
    TenantId,
    SourceId,
    InvoiceId,
    Amount,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Items {
    Table,
    TenantId,
    Id,
    Code,
    Name,
    Unit,
    Currency,
    Price,
    TaxRate,
    Active,
    Digest,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ItemPrices {
    Table,
    TenantId,
    AccountId,
    ItemId,
    Price,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum DocumentCounters {
    Table,
    TenantId,
    Series,
    Last,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum SalesOrders {
    Table,
    TenantId,
    Id,
    Kind,
    Number,
    AccountId,
    BranchId,
    Status,
    AwaitingApproval,
    IssuedOn,
    ValidUntil,
    DeliverOn,
    Currency,
    Subtotal,
    Tax,
    Total,
    QuoteId,
    Notes,
    CreatedBy,
    DecidedBy,
    DecidedAt,
    Comment,
    ExternalRef,
    Digest,
    Rounding,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum SalesOrderLines {
    Table,
    TenantId,
    OrderId,
    Position,
    ItemId,
    ItemCode,
    Description,
    Unit,
    Quantity,
    UnitPrice,
    TaxRate,
    Net,
    Tax,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum SalesOrderEvents {
    Table,
    TenantId,
    OrderId,
    Seq,
    OccurredAt,
    ActorKind,
    ActorId,
    ActorName,
    Action,
    ApprovalLimit,
    Comment,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Documents {
    Table,
    TenantId,
    Id,
    AccountId,
    BranchId,
    ExternalRef,
    Title,
    Kind,
    Version,
    PublishedOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum DocumentVersions {
    Table,
    TenantId,
    DocumentId,
    Version,
    FileId,
    FileName,
    ContentType,
    Size,
    Sha256,
    Note,
    UploadedAt,
    UploadedBy,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ServiceRequests {
    Table,
    TenantId,
    Id,
    Number,
    AccountId,
    BranchId,
    Subject,
    Description,
    Status,
    Priority,
    OpenedOn,
    OpenedBy,
    OpenedByContact,
    FirstAnswerAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ServiceRequestComments {
    Table,
    TenantId,
    RequestId,
    Seq,
    OccurredAt,
    AuthorKind,
    AuthorName,
    Body,
    Status,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ServiceRequestFiles {
    Table,
    TenantId,
    RequestId,
    FileId,
    Seq,
    FileName,
    ContentType,
    Size,
    Sha256,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PurchaseOrders {
    Table,
    TenantId,
    Id,
    Number,
    ExternalRef,
    Digest,
    AccountId,
    BranchId,
    Status,
    AwaitingReview,
    IssuedOn,
    ExpectedOn,
    Currency,
    Subtotal,
    Tax,
    Total,
    Rounding,
    Notes,
    RespondedBy,
    RespondedAt,
    ResponseNote,
    ReviewNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum PurchaseOrderLines {
    Table,
    TenantId,
    OrderId,
    Position,
    ItemCode,
    Description,
    Unit,
    Quantity,
    UnitPrice,
    TaxRate,
    Net,
    Tax,
    ExpectedOn,
    Ack,
    AckQuantity,
    AckDate,
    AckReason,
    Received,
    Rejected,
    Invoiced,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum GoodsReceipts {
    Table,
    TenantId,
    Id,
    Number,
    ExternalRef,
    Digest,
    OrderId,
    ReceivedOn,
    Notes,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum GoodsReceiptLines {
    Table,
    TenantId,
    ReceiptId,
    Position,
    Accepted,
    Rejected,
    Reason,
}

/// Its columns are named as `sales_order_events`' (but for the approval
/// limit): the chain's writer and reader use those (`orders::Chain`).
#[derive(Iden, Clone, Copy)]
pub(crate) enum PurchaseOrderEvents {
    Table,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum SupplierInvoices {
    Table,
    TenantId,
    Id,
    Number,
    NumberKey,
    AccountId,
    BranchId,
    OrderId,
    Status,
    Matched,
    IssuedOn,
    DueOn,
    Currency,
    Subtotal,
    Tax,
    Total,
    TaxId,
    Note,
    Exceptions,
    RejectReason,
    SubmittedBy,
    DecidedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum SupplierInvoiceLines {
    Table,
    TenantId,
    InvoiceId,
    Position,
    Quantity,
    UnitPrice,
    TaxRate,
    Net,
    Tax,
    Exceptions,
}
