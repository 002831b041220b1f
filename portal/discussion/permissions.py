"""Who may contribute to a project's documents, discussion, benefits and lessons."""
from portal.permissions import permission
from portal.projects.permissions import PMO, contributes


def is_contributor(user, project) -> bool:
    """True for PMO staff and admins, the project's manager and sponsor, and its team bar viewers (one query)."""
    if project is None:
        return False
    if user.role in PMO or user.id in (project.manager_id, project.sponsor_id):
        return True
    return contributes(user, project)


@permission("collab.write", "Only the project's contributors, deputies, manager, sponsor and the PMO may add to it.")
def can_contribute(user, project):
    return project is not None and project.state != "draft" and is_contributor(user, project)


@permission("collab.moderate", "Only the author or the PMO may remove a comment.")
def can_moderate(user, comment):
    return comment is not None and (user.role in PMO or user.id == comment.author_id)
