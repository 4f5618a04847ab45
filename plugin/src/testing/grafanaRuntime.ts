/**
 * The rest of Grafana's runtime the plugin's scenes rely on (for the jsdom pages and the browser host): variable interpolation (delegated to the
 * scene that asks, as Grafana's TemplateSrv does) and runRequest (data source → PanelData).
 */
import {
  LoadingState,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type PanelData,
  type ScopedVars,
  type TypedVariableModel,
} from '@grafana/data';
import { toDataQueryError, type TemplateSrv } from '@grafana/runtime';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import { catchError, from, map, of, startWith, type Observable } from 'rxjs';

function sceneOf(scopedVars?: ScopedVars): SceneObject | undefined {
  const wrapped = scopedVars?.__sceneObject as { value?: unknown; valueOf?: () => unknown } | undefined;
  if (!wrapped) {
    return undefined;
  }
  // Scenes wraps the object so that it survives serialisation: valueOf() unwraps it.
  const unwrapped = typeof wrapped.valueOf === 'function' ? wrapped.valueOf() : undefined;
  const candidate = (unwrapped && unwrapped !== wrapped ? unwrapped : wrapped.value) as SceneObject | undefined;
  return candidate && typeof candidate === 'object' && 'state' in candidate ? candidate : undefined;
}

export class SceneTemplateSrv implements TemplateSrv {
  getVariables(): TypedVariableModel[] {
    return [];
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    const scene = sceneOf(scopedVars);
    if (!scene) {
      return target;
    }
    return sceneGraph.interpolate(scene, target, scopedVars, format as string | undefined);
  }

  containsTemplate(target?: string): boolean {
    return Boolean(target && target.includes('$'));
  }

  updateTimeRange(): void {}
}

export function runRequest(ds: DataSourceApi, request: DataQueryRequest): Observable<PanelData> {
  const base = { timeRange: request.range, request, series: [] };
  return from(ds.query(request) as Observable<DataQueryResponse> | Promise<DataQueryResponse>).pipe(
    map((response): PanelData => ({
      ...base,
      state: response.errors?.length ? LoadingState.Error : LoadingState.Done,
      series: response.data,
      errors: response.errors,
    })),
    catchError((err: unknown) =>
      of<PanelData>({ ...base, state: LoadingState.Error, errors: [toDataQueryError(err)] })
    ),
    startWith<PanelData>({ ...base, state: LoadingState.Loading })
  );
}
