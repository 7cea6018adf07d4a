"""Microsoft.Maintenance (api-version 2023-04-01): maintenance configurations and configuration assignments
of virtual machines, as Update Manager, the az maintenance extension and azure-mgmt-maintenance call them."""

from __future__ import annotations

from .framework import ArmResponse, Request, Route, RouterApi, json_response

_SUB = "/subscriptions/{sub}"
_CONFIGS = _SUB + "/resourcegroups/{rg}/providers/Microsoft.Maintenance/maintenanceConfigurations"
_ASSIGNMENTS = (_SUB + "/resourcegroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}"
                "/providers/Microsoft.Maintenance/configurationAssignments")


def config_put(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    with router.writer() as state:
        existed = state.section("maintenanceConfigurations", {}).get(f"{parts['rg'].lower()}/{parts['name'].lower()}")
        config = maintenance.create_or_update(state, parts["rg"], parts["name"], request.json_body())
    return json_response(200 if existed else 201, config)


def config_patch(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    with router.writer() as state:
        config = maintenance.update(state, parts["rg"], parts["name"], request.json_body())
    return json_response(200, config)


def config_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    return json_response(200, maintenance.show(router.reader(), parts["rg"], parts["name"]))


def config_delete(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    with router.writer() as state:
        existed = state.section("maintenanceConfigurations", {}).get(f"{parts['rg'].lower()}/{parts['name'].lower()}")
        maintenance.delete(state, parts["rg"], parts["name"])
    return json_response(200, existed["config"]) if existed else ArmResponse(204)


def config_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    return json_response(200, {"value": maintenance.list_configs(router.reader(), parts.get("rg"))})


def assignment_put(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    with router.writer() as state:
        existed = any(a["name"].lower() == parts["name"].lower()
                      for a in maintenance.list_assignments(state, parts["rg"], parts["vm"]))
        assignment = maintenance.assign(state, parts["rg"], parts["vm"], parts["name"], request.json_body())
    return json_response(200 if existed else 201, assignment)


def assignment_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    return json_response(200, maintenance.show_assignment(router.reader(), parts["rg"], parts["vm"], parts["name"]))


def assignment_delete(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    with router.writer() as state:
        deleted = maintenance.unassign(state, parts["rg"], parts["vm"], parts["name"])
    return json_response(200, deleted) if deleted else ArmResponse(204)


def assignment_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import maintenance

    return json_response(200, {"value": maintenance.list_assignments(router.reader(), parts["rg"], parts["vm"])})


ROUTES = [
    Route("PUT", _CONFIGS + "/{name}", config_put, "maintenance"),
    Route("PATCH", _CONFIGS + "/{name}", config_patch, "maintenance"),
    Route("GET", _CONFIGS + "/{name}", config_get, "maintenance"),
    Route("DELETE", _CONFIGS + "/{name}", config_delete, "maintenance"),
    Route("GET", _CONFIGS, config_list, "maintenance"),
    Route("GET", _SUB + "/providers/Microsoft.Maintenance/maintenanceConfigurations", config_list, "maintenance"),
    Route("PUT", _ASSIGNMENTS + "/{name}", assignment_put, "maintenance"),
    Route("GET", _ASSIGNMENTS + "/{name}", assignment_get, "maintenance"),
    Route("DELETE", _ASSIGNMENTS + "/{name}", assignment_delete, "maintenance"),
    Route("GET", _ASSIGNMENTS, assignment_list, "maintenance"),
]
